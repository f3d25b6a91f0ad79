using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Protocol.Tests.Support;

/// <summary>Encode / frame / decode shortcuts for tests.</summary>
internal static class Wire
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string ToHex(byte[] bytes) => Convert.ToHexString(bytes);

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        var writer = new ArrayBufferWriter<byte>();
        var written = MqttPacketEncoder.Encode(packet, version, writer);
        Assert.Equal(writer.WrittenCount, written);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Frames and decodes one whole packet; asserts it is exactly one frame.</summary>
    public static MqttPacket Decode(byte[] bytes, MqttProtocolVersion version)
        => Decode(new ReadOnlySequence<byte>(bytes), version);

    public static MqttPacket Decode(ReadOnlySequence<byte> sequence, MqttProtocolVersion version)
    {
        var buffer = sequence;
        Assert.True(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame), "frame incomplete");
        Assert.True(buffer.IsEmpty, "bytes left after the frame");
        Assert.Equal((int)sequence.Length, frame.TotalSize);
        return MqttPacketDecoder.Decode(frame, version);
    }

    /// <summary>Decoding must throw with exactly <paramref name="expected"/>.</summary>
    public static MqttProtocolException AssertRejected(ReasonCode expected, byte[] bytes, MqttProtocolVersion version)
    {
        var ex = Assert.Throws<MqttProtocolException>(() => Decode(bytes, version));
        Assert.Equal(expected, ex.ReasonCode);
        return ex;
    }

    /// <summary>Wraps a body in a fixed header with the right remaining length.</summary>
    public static byte[] Packet(byte firstByte, params byte[] body)
    {
        var header = new byte[5];
        header[0] = firstByte;
        var n = MqttWire.WriteVariableByteInteger(header.AsSpan(1), body.Length);
        return [.. header.AsSpan(0, 1 + n), .. body];
    }

    public static byte[] Packet(byte firstByte, string hexBody) => Packet(firstByte, Hex(hexBody));

    public static void AssertRoundTrip(MqttPacket packet, MqttProtocolVersion version)
    {
        var bytes = Encode(packet, version);
        var decoded = Decode(bytes, version);
        Assert.Equal(PacketDump.Describe(packet), PacketDump.Describe(decoded));
        Assert.Equal(ToHex(bytes), ToHex(Encode(decoded, version)));
    }

    /// <summary>The packet encodes to exactly <paramref name="hex"/>, and those bytes decode back to it.</summary>
    public static void AssertGolden(MqttPacket packet, MqttProtocolVersion version, string hex)
    {
        var expected = Hex(hex);
        Assert.Equal(ToHex(expected), ToHex(Encode(packet, version)));
        Assert.Equal(PacketDump.Describe(packet), PacketDump.Describe(Decode(expected, version)));
    }
}
