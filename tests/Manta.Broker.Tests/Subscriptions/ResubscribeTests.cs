using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>A SUBSCRIBE with an existing filter replaces the subscription (MQTT-3.8.4-3).</summary>
public sealed class ResubscribeTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Resubscribe_with_a_different_qos_replaces_the_subscription_MQTT_3_8_4_3(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.ExactlyOnce, 1);
        var ack = await subscriber.SubscribeAsync("t", QualityOfService.AtMostOnce, 2);
        Assert.Equal([ReasonCode.GrantedQoS0], ack.ReasonCodes);
        Assert.Equal(1, broker.Broker.Index.Count);

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "x", QualityOfService.ExactlyOnce);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.AtMostOnce, delivered.QoS);
        await subscriber.ExpectNothingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Resubscribe_resends_retained_messages_MQTT_3_8_4_3(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "kept", QualityOfService.AtLeastOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce, 1);
        var first = await subscriber.ReceivePublishAndAckAsync();
        Assert.True(first.Retain);
        Assert.Equal(QualityOfService.AtLeastOnce, first.QoS);

        await subscriber.SubscribeAsync("t", QualityOfService.AtMostOnce, 2);
        var again = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.True(again.Retain);
        Assert.Equal("kept"u8.ToArray(), again.Payload.ToArray());
        Assert.Equal(QualityOfService.AtMostOnce, again.QoS);
    }
}
