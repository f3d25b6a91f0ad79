using Manta.Server.Tests.Support;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.Mosquitto;

public sealed class MosquittoRetainedTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Retained_message_reaches_later_mosquitto_sub_MQTT_3_3_1_6(string version)
    {
        var topic = Timeouts.Topic("mosqretain");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-m", "retained value");

        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-C", "1");

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 1);
        Assert.Equal(new SubMessage(topic, 1, true, "retained value"), messages.Single());
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Null_retained_message_from_mosquitto_pub_deletes_it_MQTT_3_3_1_10(string version)
    {
        var topic = Timeouts.Topic("mosqretaindel");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-m", "doomed");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-n");

        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-C", "1");
        await using (var marker = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311))
        {
            await marker.PublishAsync(topic, "live marker", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // A retained message would have been sent right after the SUBACK, before the marker.
        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 1);
        Assert.Equal(new SubMessage(topic, 1, false, "live marker"), messages[0]);
    }
}
