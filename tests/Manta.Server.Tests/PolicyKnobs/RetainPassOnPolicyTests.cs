using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:Retain=PassOnAsProperty</c> (Azure IoT Hub).</summary>
public sealed class RetainPassOnPolicyTests(RetainPassOnPolicyTests.Host host) : IClassFixture<RetainPassOnPolicyTests.Host>
{
    [Fact]
    public async Task Retained_publish_is_delivered_with_retain_0_and_the_property_and_not_stored()
    {
        var topic = Timeouts.Topic("passon");
        await using var subscriber = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        Assert.True(subscriber.ConnectResult.RetainAvailable, "PassOnAsProperty accepts RETAIN 1, so it must not announce Retain Available 0");
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithRetainAsPublished(true));
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await publisher.PublishAsync(topic, "passed on", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        // Even with Retain As Published the flag is cleared: the message is not a retained one here.
        var message = await subscriber.NextAsync();
        Assert.Equal(("passed on", false), (message.PayloadText, message.Retain));
        Assert.Contains(("mqtt-retain", "true"), message.UserProperties);

        await using var later = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await later.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await later.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task Mosquitto_pub_retained_reaches_mqttnet_with_the_property_and_a_later_mosquitto_sub_gets_nothing_retained()
    {
        var topic = Timeouts.Topic("passonmosq");
        await using var subscriber = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await Support.Mosquitto.PubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-r", "-m", "from mosquitto");

        var message = await subscriber.NextAsync();
        Assert.Equal(("from mosquitto", false), (message.PayloadText, message.Retain));
        Assert.Contains(("mqtt-retain", "true"), message.UserProperties);

        await using var later = await Support.Mosquitto.SubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-C", "1");
        await Support.Mosquitto.PubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-m", "marker");
        var first = (await Support.Mosquitto.WaitForMessagesAsync(later, 1))[0];
        Assert.Equal(new SubMessage(topic, 1, false, "marker"), first);
    }

    [Fact]
    public async Task Non_retained_publish_gets_no_property()
    {
        var topic = Timeouts.Topic("passonplain");
        await using var subscriber = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await publisher.PublishAsync(topic, "plain", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await subscriber.NextAsync();
        Assert.Equal("plain", message.PayloadText);
        Assert.DoesNotContain(message.UserProperties, p => p.Name == "mqtt-retain");
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:Retain=PassOnAsProperty");
}
