using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>UNSUBSCRIBE (3.10) and UNSUBACK (3.11).</summary>
public sealed class UnsubscribeTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Unsubscribe_stops_delivery_MQTT_3_10_4_2(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("a/+");
        await subscriber.SubscribeAsync("sentinel", packetId: 2);
        var unsubAck = await subscriber.UnsubscribeAsync("a/+", 3);
        Assert.Equal(3, unsubAck.PacketId);

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("a/b", "x");
        await publisher.PublishAsync("sentinel", "end");
        Assert.Equal("sentinel", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
        Assert.Equal(1, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task V311_unsuback_has_the_packet_id_and_no_payload_MQTT_3_10_4_4()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c");
        await client.SendAsync(new UnsubscribePacket { PacketId = 0x0102, TopicFilters = ["never-subscribed"] });
        Assert.Equal(new byte[] { 0xB0, 0x02, 0x01, 0x02 }, await client.ReceiveRawAsync());
    }

    [Fact]
    public async Task V5_unsuback_has_0x00_for_an_existing_and_0x11_for_an_unknown_filter()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SubscribeAsync("a");
        await client.SendAsync(new UnsubscribePacket { PacketId = 4, TopicFilters = ["a", "b"] });
        var ack = await client.ReceiveAsync<UnsubAckPacket>();
        Assert.Equal(4, ack.PacketId);
        Assert.Equal([ReasonCode.Success, ReasonCode.NoSubscriptionExisted], ack.ReasonCodes);
    }

    [Fact]
    public async Task Unsubscribe_matches_the_filter_exactly_not_by_wildcard_MQTT_3_10_4_1()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SubscribeAsync("a/b");
        var ack = await client.UnsubscribeAsync("a/+");
        Assert.Equal([ReasonCode.NoSubscriptionExisted], ack.ReasonCodes);
        Assert.Equal(1, broker.Broker.Index.Count);
    }
}
