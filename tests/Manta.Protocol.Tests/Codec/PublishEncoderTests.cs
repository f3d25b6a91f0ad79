using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class PublishEncoderTests
{
    private static string Write(
        MqttProtocolVersion version, string topic, QualityOfService qos, bool retain, bool dup, ushort packetId, byte[] payload,
        byte[] forwarded, bool hasExpiry, uint expiry, uint[] subscriptionIds, ushort alias)
    {
        var writer = new ArrayBufferWriter<byte>();
        var topicBytes = System.Text.Encoding.UTF8.GetBytes(topic);
        var n = PublishEncoder.Write(writer, version, topicBytes, qos, retain, dup, packetId, payload, forwarded, hasExpiry, expiry, subscriptionIds, alias);
        Assert.Equal(writer.WrittenCount, n);
        Assert.Equal(n, PublishEncoder.GetSize(version, topicBytes.Length, qos, payload.Length, forwarded.Length, hasExpiry, expiry, subscriptionIds, alias));
        return Wire.ToHex(writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void V311_matches_the_spec_example_golden()
        => Assert.Equal(
            Wire.ToHex(Wire.Hex("32 09 0003 612F62 000A 6869")),
            Write(MqttProtocolVersion.V311, "a/b", QualityOfService.AtLeastOnce, false, false, 10, "hi"u8.ToArray(), [], false, 0, [], 0));

    [Fact]
    public void V3_ignores_every_property()
        => Assert.Equal(
            Wire.ToHex(Wire.Hex("31 03 0001 61")),
            Write(MqttProtocolVersion.V310, "a", QualityOfService.AtMostOnce, true, false, 99, [], [0x01, 0x01], true, 5, [3], 7));

    [Fact]
    public void V500_appends_expiry_subscription_ids_and_alias_after_forwarded_properties_golden()
        => Assert.Equal(
            Wire.ToHex(Wire.Hex("3C 16 0001 61 0001 0F 0101 02 0000000A 0B 01 0B 8001 23 0005 FF")),
            Write(MqttProtocolVersion.V500, "a", QualityOfService.ExactlyOnce, false, true, 1, [0xFF], [0x01, 0x01], true, 10, [1, 128], 5));

    [Fact]
    public void V500_without_properties_writes_length_zero_golden()
        => Assert.Equal(
            Wire.ToHex(Wire.Hex("30 04 0001 61 00")),
            Write(MqttProtocolVersion.V500, "a", QualityOfService.AtMostOnce, false, false, 0, [], [], false, 0, [], 0));

    [Fact]
    public void Output_equals_the_packet_encoder_for_the_same_publish()
    {
        var packet = new PublishPacket
        {
            Topic = "x/y",
            QoS = QualityOfService.AtLeastOnce,
            PacketId = 300,
            Payload = new byte[200],
            Properties = new MqttProperties { MessageExpiryInterval = 1, SubscriptionIdentifiers = [268435455], TopicAlias = 9 },
        };
        Assert.Equal(
            Wire.ToHex(Wire.Encode(packet, MqttProtocolVersion.V500)),
            Write(MqttProtocolVersion.V500, "x/y", QualityOfService.AtLeastOnce, false, false, 300, new byte[200], [], true, 1, [268435455], 9));
    }

    [Fact]
    public void Write_allocates_nothing()
    {
        var writer = new ArrayBufferWriter<byte>(4096);
        ReadOnlySpan<uint> ids = [1, 2];
        for (var i = 0; i < 10; i++)
        {
            writer.ResetWrittenCount();
            PublishEncoder.Write(writer, MqttProtocolVersion.V500, "a/b"u8, QualityOfService.AtLeastOnce, false, false, 1, "payload"u8, [1, 1], true, 9, ids, 3);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            writer.ResetWrittenCount();
            PublishEncoder.Write(writer, MqttProtocolVersion.V500, "a/b"u8, QualityOfService.AtLeastOnce, false, false, 1, "payload"u8, [1, 1], true, 9, ids, 3);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
