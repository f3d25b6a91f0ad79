using System.Text;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class V5PropertiesTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private static ReadOnlyMemory<byte> U(string value) => Encoding.UTF8.GetBytes(value);

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Publish_properties_pass_through_unaltered_MQTT_3_3_2_15_to_20(MqttQualityOfServiceLevel qos)
    {
        var topic = Timeouts.Topic("props");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, qos);
        byte[] correlation = [0x00, 0xFF, 0x10, 0x80, 0x7F];

        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("{\"t\":21.5}")
            .WithQualityOfServiceLevel(qos)
            .WithContentType("application/json; charset=utf-8")
            .WithResponseTopic("reply/to/π")
            .WithCorrelationData(correlation)
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithUserProperty("b", U("2"))
            .WithUserProperty("a", U("1"))
            .WithUserProperty("a", U("duplicate keys are allowed"))
            .WithUserProperty("ünï", U("çødé"))
            .Build());

        var message = await subscriber.NextAsync();
        Assert.Equal("{\"t\":21.5}", message.PayloadText);
        Assert.Equal("application/json; charset=utf-8", message.ContentType);
        Assert.Equal("reply/to/π", message.ResponseTopic);
        Assert.Equal(correlation, message.CorrelationData);
        Assert.Equal([("b", "2"), ("a", "1"), ("a", "duplicate keys are allowed"), ("ünï", "çødé")], message.UserProperties);
    }

    [Fact]
    public async Task Retained_message_keeps_its_properties_MQTT_3_3_2_17()
    {
        var topic = Timeouts.Topic("propsretained");
        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload("state")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .WithContentType("text/plain")
                .WithCorrelationData(Encoding.ASCII.GetBytes("cid"))
                .WithUserProperty("k", U("v"))
                .Build());
        }

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var message = await subscriber.NextAsync();
        Assert.True(message.Retain);
        Assert.Equal("text/plain", message.ContentType);
        Assert.Equal("cid"u8.ToArray(), message.CorrelationData);
        Assert.Equal([("k", "v")], message.UserProperties);
    }

    [Fact]
    public async Task Properties_are_not_invented_for_a_plain_publish()
    {
        var topic = Timeouts.Topic("noprops");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, "plain", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await subscriber.NextAsync();
        Assert.Null(message.ContentType);
        Assert.Null(message.ResponseTopic);
        Assert.Null(message.CorrelationData);
        Assert.Empty(message.UserProperties);
        Assert.Empty(message.SubscriptionIdentifiers);
    }
}
