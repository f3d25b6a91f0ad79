using System.Globalization;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Mosquitto;

public sealed class MixedClientTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    public static TheoryData<MqttProtocolVersion, string> Pairs
    {
        get
        {
            var data = new TheoryData<MqttProtocolVersion, string>();
            foreach (var net in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                foreach (var mosquitto in new[] { "mqttv31", "mqttv311", "mqttv5" })
                {
                    data.Add(net, mosquitto);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Mqttnet_publisher_reaches_mosquitto_sub(MqttProtocolVersion netVersion, string mosquittoVersion)
    {
        var topic = Timeouts.Topic("mix1");
        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, mosquittoVersion, "-t", topic, "-q", "2", "-C", "3");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, netVersion);

        for (var qos = 0; qos <= 2; qos++)
        {
            await publisher.PublishAsync(topic, $"from mqttnet q{qos}", (MqttQualityOfServiceLevel)qos);
        }

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 3);
        Assert.Equal(
            Enumerable.Range(0, 3).Select(q => new SubMessage(topic, q, false, $"from mqttnet q{q}")),
            messages.OrderBy(m => m.QoS));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Mosquitto_pub_reaches_mqttnet_subscriber(MqttProtocolVersion netVersion, string mosquittoVersion)
    {
        var topic = Timeouts.Topic("mix2");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, netVersion);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

        for (var qos = 0; qos <= 2; qos++)
        {
            await Support.Mosquitto.PubAsync(fixture.Server, mosquittoVersion, "-t", topic, "-q", qos.ToString(CultureInfo.InvariantCulture), "-m", $"from mosquitto q{qos}");
        }

        for (var qos = 0; qos <= 2; qos++)
        {
            var message = await subscriber.NextAsync();
            Assert.Equal((topic, $"from mosquitto q{qos}", (MqttQualityOfServiceLevel)qos), (message.Topic, message.PayloadText, message.QoS));
        }
    }

    [Fact]
    public async Task Mosquitto_v5_properties_reach_mqttnet_unaltered_MQTT_3_3_2_17()
    {
        var topic = Timeouts.Topic("mixprops");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await Support.Mosquitto.PubAsync(
            fixture.Server,
            "mqttv5",
            "-t", topic, "-q", "1", "-m", "with props",
            "-D", "publish", "user-property", "origin", "mosquitto",
            "-D", "publish", "content-type", "text/plain",
            "-D", "publish", "response-topic", "reply/here",
            "-D", "publish", "correlation-data", "abc123");

        var message = await subscriber.NextAsync();
        Assert.Equal("with props", message.PayloadText);
        Assert.Equal([("origin", "mosquitto")], message.UserProperties);
        Assert.Equal("text/plain", message.ContentType);
        Assert.Equal("reply/here", message.ResponseTopic);
        Assert.Equal("abc123"u8.ToArray(), message.CorrelationData);
    }

    [Fact]
    public async Task Mqttnet_will_reaches_mosquitto_sub_MQTT_3_1_2_8()
    {
        var willTopic = Timeouts.Topic("mixwill");
        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, "mqttv311", "-t", willTopic, "-q", "1", "-C", "1");
        var doomed = await NetClient.ConnectAsync(
            fixture.Server, MqttProtocolVersion.V500, configure: o => o.WithWillTopic(willTopic).WithWillPayload("net died").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

        doomed.Client.Dispose();

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 1);
        Assert.Equal(new SubMessage(willTopic, 1, false, "net died"), messages.Single());
    }
}
