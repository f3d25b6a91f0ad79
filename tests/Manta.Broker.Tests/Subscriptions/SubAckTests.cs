using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>SUBACK (3.9): same packet id, one return code per filter in order (MQTT-3.8.4-1, -5, -6).</summary>
public sealed class SubAckTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Suback_has_the_packet_id_and_a_granted_qos_per_filter_in_order_MQTT_3_8_4_1_MQTT_3_9_3_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version);
        await client.SendAsync(new SubscribePacket
        {
            PacketId = 0x0A0B,
            Subscriptions =
            [
                new TopicSubscription { TopicFilter = "a", MaximumQoS = QualityOfService.ExactlyOnce },
                new TopicSubscription { TopicFilter = "b/+", MaximumQoS = QualityOfService.AtMostOnce },
                new TopicSubscription { TopicFilter = "c/#", MaximumQoS = QualityOfService.AtLeastOnce },
            ],
        });
        var raw = await client.ReceiveRawAsync();
        byte[] expected = version == MqttProtocolVersion.V500
            ? [0x90, 0x06, 0x0A, 0x0B, 0x00, 0x02, 0x00, 0x01]
            : [0x90, 0x05, 0x0A, 0x0B, 0x02, 0x00, 0x01];
        Assert.Equal(expected, raw);
        Assert.Equal(3, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task V5_shared_subscription_is_granted_its_qos_like_any_other_MQTT_4_8_2()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendAsync(new SubscribePacket
        {
            PacketId = 3,
            Subscriptions =
            [
                new TopicSubscription { TopicFilter = "$share/g/t", MaximumQoS = QualityOfService.AtLeastOnce },
                new TopicSubscription { TopicFilter = "t", MaximumQoS = QualityOfService.AtLeastOnce },
            ],
        });
        var ack = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(3, ack.PacketId);
        Assert.Equal([ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS1], ack.ReasonCodes);
        Assert.Equal(2, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task V311_shared_subscription_is_granted_its_qos()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V311);
        await client.SendAsync(new SubscribePacket { PacketId = 3, Subscriptions = [new TopicSubscription { TopicFilter = "$share/g/t" }] });
        Assert.Equal(new byte[] { 0x90, 0x03, 0x00, 0x03, 0x00 }, await client.ReceiveRawAsync());
    }
}
