using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>Overlapping subscriptions of one client: one delivery at the highest QoS (MQTT-3.3.4-2; v5 with every identifier, MQTT-3.3.4-3..5).</summary>
public sealed class OverlappingSubscriptionTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Overlapping_filters_give_one_delivery_at_the_highest_qos_MQTT_3_3_4_2(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("a/+", QualityOfService.AtMostOnce, 1);
        await subscriber.SubscribeAsync("a/#", QualityOfService.ExactlyOnce, 2);
        await subscriber.SubscribeAsync("a/b", QualityOfService.AtLeastOnce, 3);
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("a/b", "x", QualityOfService.ExactlyOnce);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.ExactlyOnce, delivered.QoS);
        await subscriber.AckAsync(delivered);
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task V5_overlapping_delivery_carries_every_subscription_identifier_MQTT_3_3_4_3()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("a/+", QualityOfService.AtLeastOnce, 1, new MqttProperties { SubscriptionIdentifiers = [7] });
        await subscriber.SubscribeAsync("a/#", QualityOfService.AtMostOnce, 2, new MqttProperties { SubscriptionIdentifiers = [300] });
        await subscriber.SubscribeAsync("a/b", QualityOfService.AtMostOnce, 3);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("a/b", "x", QualityOfService.AtLeastOnce);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.AtLeastOnce, delivered.QoS);
        Assert.Equal(new uint[] { 7, 300 }, delivered.Properties?.SubscriptionIdentifiers?.Order().ToArray());
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Two_clients_with_the_same_filter_each_get_one_copy()
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", MqttProtocolVersion.V311);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("t/#");
        await b.SubscribeAsync("t/#");
        await b.SubscribeAsync("t/+", packetId: 2);
        broker.Broker.Publish(new PublishPacket { Topic = "t/x", Payload = "x"u8.ToArray() });
        Assert.Equal("t/x", (await a.ReceiveAsync<PublishPacket>()).Topic);
        Assert.Equal("t/x", (await b.ReceiveAsync<PublishPacket>()).Topic);
        await a.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        await b.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
    }
}
