using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class SplitPointTests
{
    public static TheoryData<string, MqttProtocolVersion> Packets()
    {
        var data = new TheoryData<string, MqttProtocolVersion>();
        foreach (var (name, packet, version) in Samples())
        {
            data.Add(name, version);
        }

        return data;
    }

    private static IEnumerable<(string Name, MqttPacket Packet, MqttProtocolVersion Version)> Samples()
    {
        yield return ("connect-v5", new ConnectPacket
        {
            ProtocolVersion = MqttProtocolVersion.V500,
            ClientId = "client-ü",
            KeepAliveSeconds = 30,
            UserName = "user",
            Password = [1, 2, 3],
            Will = new WillMessage { Topic = "will/t", Payload = [9, 8], QoS = QualityOfService.AtLeastOnce, Properties = new MqttProperties { WillDelayInterval = 5 } },
            Properties = new MqttProperties { SessionExpiryInterval = 60, UserProperties = [new("k", "v")] },
        }, MqttProtocolVersion.V500);
        yield return ("connect-v311", new ConnectPacket { ClientId = "c", UserName = "u", Password = [1] }, MqttProtocolVersion.V311);
        yield return ("publish-v5-large", new PublishPacket
        {
            Topic = "sensors/temperature",
            QoS = QualityOfService.ExactlyOnce,
            PacketId = 513,
            Payload = Enumerable.Range(0, 700).Select(i => (byte)i).ToArray(),
            Properties = new MqttProperties { ContentType = "application/json", CorrelationData = [7, 7], TopicAlias = 3 },
        }, MqttProtocolVersion.V500);
        yield return ("publish-v311", new PublishPacket { Topic = "a/b", Payload = "hello"u8.ToArray() }, MqttProtocolVersion.V311);
        yield return ("subscribe-v5", new SubscribePacket
        {
            PacketId = 7,
            Subscriptions = [new() { TopicFilter = "a/+/c", MaximumQoS = QualityOfService.AtLeastOnce, NoLocal = true }, new() { TopicFilter = "#" }],
            Properties = new MqttProperties { SubscriptionIdentifiers = [300] },
        }, MqttProtocolVersion.V500);
        yield return ("puback-v5", new PubAckPacket { PacketId = 1, ReasonCode = ReasonCode.NoMatchingSubscribers, Properties = new MqttProperties { ReasonString = "none" } }, MqttProtocolVersion.V500);
        yield return ("pingreq", PingReqPacket.Instance, MqttProtocolVersion.V311);
        yield return ("disconnect-v5", new DisconnectPacket { ReasonCode = ReasonCode.ServerShuttingDown }, MqttProtocolVersion.V500);
    }

    private static (MqttPacket Packet, MqttProtocolVersion Version) Sample(string name)
    {
        var s = Samples().Single(s => s.Name == name);
        return (s.Packet, s.Version);
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void Packet_split_at_every_index_decodes_the_same(string name, MqttProtocolVersion version)
    {
        var (packet, _) = Sample(name);
        var bytes = Wire.Encode(packet, version);
        var expected = PacketDump.Describe(packet);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var decoded = Wire.Decode(Sequences.Split(bytes, split), version);
            Assert.Equal(expected, PacketDump.Describe(decoded));
        }

        Assert.Equal(expected, PacketDump.Describe(Wire.Decode(Sequences.EveryByte(bytes), version)));
    }

    [Theory]
    [MemberData(nameof(Packets))]
    public void Every_incomplete_prefix_returns_false_and_leaves_the_buffer_unchanged(string name, MqttProtocolVersion version)
    {
        var (packet, _) = Sample(name);
        var bytes = Wire.Encode(packet, version);
        for (var length = 0; length < bytes.Length; length++)
        {
            // The prefix itself split in two, so the header may straddle segments too.
            var original = Sequences.Split(bytes[..length], length / 2);
            var buffer = original;
            Assert.False(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
            Assert.True(buffer.Start.Equals(original.Start) && buffer.End.Equals(original.End));
        }
    }

    [Fact]
    public void Two_packets_in_one_split_stream_are_read_one_after_the_other()
    {
        var first = Wire.Encode(new PublishPacket { Topic = "x", Payload = new byte[3] }, MqttProtocolVersion.V311);
        var second = Wire.Encode(new PubAckPacket { PacketId = 9 }, MqttProtocolVersion.V311);
        byte[] stream = [.. first, .. second];
        for (var split = 1; split < stream.Length; split++)
        {
            var buffer = Sequences.Split(stream, split, split + 1);
            Assert.True(MqttFrameReader.TryRead(ref buffer, 1000, out var a));
            Assert.IsType<PublishPacket>(MqttPacketDecoder.Decode(a, MqttProtocolVersion.V311));
            Assert.True(MqttFrameReader.TryRead(ref buffer, 1000, out var b));
            Assert.Equal(9, ((PubAckPacket)MqttPacketDecoder.Decode(b, MqttProtocolVersion.V311)).PacketId);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void Large_split_body_is_linearised_through_the_pool()
    {
        var (packet, version) = Sample("publish-v5-large");
        var bytes = Wire.Encode(packet, version);
        Assert.True(bytes.Length > 512);
        var decoded = (PublishPacket)Wire.Decode(Sequences.Split(bytes, 100, 400), version);
        Assert.Equal(((PublishPacket)packet).Payload.ToArray(), decoded.Payload.ToArray());
    }
}
