using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Mosquitto;

public sealed class MosquittoWillTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Will_of_sigkilled_mosquitto_sub_reaches_subscriber_MQTT_3_1_2_8(string version)
    {
        var willTopic = Timeouts.Topic("mosqwill");
        await using var watcher = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", willTopic, "-q", "1", "-C", "1");
        await using var doomed = await Support.Mosquitto.SubAsync(
            fixture.Server, version, "-t", Timeouts.Topic("idle"), "--will-topic", willTopic, "--will-payload", "mosquitto died", "--will-qos", "1");

        doomed.Kill(); // SIGKILL: no DISCONNECT, the socket is closed by the kernel

        var messages = await Support.Mosquitto.WaitForMessagesAsync(watcher, 1);
        Assert.Equal(new SubMessage(willTopic, 1, false, "mosquitto died"), messages.Single());
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Will_of_mosquitto_sub_that_disconnects_normally_is_discarded_MQTT_3_1_2_10(string version)
    {
        var willTopic = Timeouts.Topic("mosqnowill");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);

        await using (var polite = await Support.Mosquitto.SubAsync(
            fixture.Server, version, "-t", Timeouts.Topic("idle"), "-E", "--will-topic", willTopic, "--will-payload", "must not appear"))
        {
            Assert.Equal(0, await polite.WaitForExitAsync(Timeouts.Expect));
        }

        await watcher.ExpectNothingAsync();
    }

    [Fact]
    public async Task Retained_will_is_kept_for_later_subscribers_MQTT_3_1_2_17()
    {
        var willTopic = Timeouts.Topic("mosqwillretain");
        await using (var doomed = await Support.Mosquitto.SubAsync(
            fixture.Server, "mqttv311", "-t", Timeouts.Topic("idle"), "--will-topic", willTopic, "--will-payload", "last state", "--will-qos", "1", "--will-retain"))
        {
            doomed.Kill();
        }

        // The will is published asynchronously after the close: poll with fresh subscribers until it is there.
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            await using var later = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311);
            await later.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
            try
            {
                var message = await later.NextAsync(TimeSpan.FromMilliseconds(500));
                Assert.Equal(("last state", true), (message.PayloadText, message.Retain));
                return;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }
}
