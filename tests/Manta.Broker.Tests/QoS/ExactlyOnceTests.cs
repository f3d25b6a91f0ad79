using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.QoS;

/// <summary>QoS 2 exactly-once delivery in both directions (4.3.3).</summary>
public sealed class ExactlyOnceTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Inbound_qos2_gets_pubrec_then_pubcomp_after_pubrel_MQTT_4_3_3_8_MQTT_4_3_3_11(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.ExactlyOnce);
        await using var publisher = await broker.ConnectAsync("p", version);

        await publisher.PublishAsync("t", "x", QualityOfService.ExactlyOnce, packetId: 0x1234);
        Assert.Equal(new byte[] { 0x50, 0x02, 0x12, 0x34 }, await publisher.ReceiveRawAsync());
        Assert.Equal(1, broker.Broker.Sessions.Find("p")!.InboundQos2Count);
        await publisher.SendAsync(new PubRelPacket { PacketId = 0x1234 });
        Assert.Equal(new byte[] { 0x70, 0x02, 0x12, 0x34 }, await publisher.ReceiveRawAsync());
        Assert.Equal(0, broker.Broker.Sessions.Find("p")!.InboundQos2Count);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.ExactlyOnce, delivered.QoS);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Outbound_qos2_flow_publish_pubrec_pubrel_pubcomp_MQTT_4_3_3_3_MQTT_4_3_3_4(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.ExactlyOnce);
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "x", QualityOfService.ExactlyOnce);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.ExactlyOnce, delivered.QoS);
        Assert.False(delivered.Dup);
        Assert.NotEqual(0, delivered.PacketId);
        Assert.Equal(1, broker.Broker.Sessions.Find("s")!.InflightCount);

        await subscriber.SendAsync(new PubRecPacket { PacketId = delivered.PacketId });
        var rel = await subscriber.ReceiveAsync<PubRelPacket>();
        Assert.Equal(delivered.PacketId, rel.PacketId);
        Assert.Equal(1, broker.Broker.Sessions.Find("s")!.InflightCount);

        await subscriber.SendAsync(new PubCompPacket { PacketId = delivered.PacketId });
        await subscriber.PingAsync();
        Assert.Equal(0, broker.Broker.Sessions.Find("s")!.InflightCount);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Duplicate_qos2_publish_before_pubrel_is_not_delivered_twice_MQTT_4_3_3_10(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtMostOnce);
        await using var publisher = await broker.ConnectAsync("p", version);

        await publisher.SendAsync(new PublishPacket { Topic = "t", Payload = "once"u8.ToArray(), QoS = QualityOfService.ExactlyOnce, PacketId = 9 });
        Assert.Equal(9, (await publisher.ReceiveAsync<PubRecPacket>()).PacketId);
        await publisher.SendAsync(new PublishPacket { Topic = "t", Payload = "once"u8.ToArray(), QoS = QualityOfService.ExactlyOnce, PacketId = 9, Dup = true });
        Assert.Equal(9, (await publisher.ReceiveAsync<PubRecPacket>()).PacketId);
        await publisher.SendAsync(new PubRelPacket { PacketId = 9 });
        Assert.Equal(9, (await publisher.ReceiveAsync<PubCompPacket>()).PacketId);

        Assert.Equal("once"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
        await subscriber.ExpectNothingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Packet_id_can_be_reused_after_pubcomp_MQTT_2_2_1_3(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtMostOnce);
        await using var publisher = await broker.ConnectAsync("p", version);

        await publisher.PublishAndAckAsync("t", "first", QualityOfService.ExactlyOnce, packetId: 5);
        await publisher.PublishAndAckAsync("t", "second", QualityOfService.ExactlyOnce, packetId: 5);
        Assert.Equal("first"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
        Assert.Equal("second"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Fact]
    public async Task V5_pubrel_for_an_unknown_packet_id_gets_pubcomp_0x92()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendAsync(new PubRelPacket { PacketId = 77 });
        var comp = await client.ReceiveAsync<PubCompPacket>();
        Assert.Equal(77, comp.PacketId);
        Assert.Equal(ReasonCode.PacketIdentifierNotFound, comp.ReasonCode);
    }

    [Fact]
    public async Task V311_pubrel_for_an_unknown_packet_id_gets_pubcomp_MQTT_4_3_3_11()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c");
        await client.SendAsync(new PubRelPacket { PacketId = 77 });
        Assert.Equal(new byte[] { 0x70, 0x02, 0x00, 77 }, await client.ReceiveRawAsync());
    }
}
