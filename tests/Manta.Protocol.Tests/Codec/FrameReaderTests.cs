using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class FrameReaderTests
{
    [Fact]
    public void Empty_input_is_incomplete()
    {
        var buffer = ReadOnlySequence<byte>.Empty;
        Assert.False(MqttFrameReader.TryRead(ref buffer, 100, out _));
    }

    [Fact]
    public void Reads_type_flags_body_and_total_size_then_advances()
    {
        var bytes = Wire.Hex("3205 0001 61 0007 C000");
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var frame));
        Assert.Equal(MqttPacketType.Publish, frame.Type);
        Assert.Equal(0b0010, frame.Flags);
        Assert.Equal("0001610007", Wire.ToHex(frame.Body.ToArray()));
        Assert.Equal(7, frame.TotalSize);
        Assert.Equal(2, buffer.Length);

        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out frame));
        Assert.Equal(MqttPacketType.PingReq, frame.Type);
        Assert.True(frame.Body.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Remaining_length_longer_than_four_bytes_is_malformed_MQTT_1_5_5()
    {
        var buffer = new ReadOnlySequence<byte>(Wire.Hex("30FFFFFFFF01"));
        var ex = Assert.Throws<MqttProtocolException>(() => MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
        Assert.Equal(ReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Fact]
    public void Fourth_length_byte_with_continuation_is_malformed_before_fifth_arrives()
    {
        var buffer = new ReadOnlySequence<byte>(Wire.Hex("30FFFFFF80"));
        var ex = Assert.Throws<MqttProtocolException>(() => MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
        Assert.Equal(ReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Fact]
    public void Oversize_packet_is_rejected_from_its_header_alone_MQTT_3_1_2_24()
    {
        // Header announces 200 bytes of body; none of it is present.
        var buffer = new ReadOnlySequence<byte>(Wire.Hex("30C801"));
        var ex = Assert.Throws<MqttProtocolException>(() => MqttFrameReader.TryRead(ref buffer, 100, out _));
        Assert.Equal(ReasonCode.PacketTooLarge, ex.ReasonCode);
    }

    [Fact]
    public void Packet_of_exactly_the_maximum_size_is_accepted()
    {
        var bytes = Wire.Packet(0x30, new byte[98]);
        Assert.Equal(100, bytes.Length);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var frame));
        Assert.Equal(100, frame.TotalSize);

        var tooBig = new ReadOnlySequence<byte>(bytes);
        Assert.Throws<MqttProtocolException>(() => MqttFrameReader.TryRead(ref tooBig, 99, out _));
    }

    [Fact]
    public void Reserved_type_zero_is_framed_and_rejected_by_the_decoder_MQTT_2_1_2()
    {
        var buffer = new ReadOnlySequence<byte>(Wire.Hex("0000"));
        Assert.True(MqttFrameReader.TryRead(ref buffer, 100, out var frame));
        Assert.Equal(MqttPacketType.Reserved, frame.Type);
        var ex = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.Decode(frame, MqttProtocolVersion.V311));
        Assert.Equal(ReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("3080")]
    [InlineData("308080")]
    [InlineData("30808080")]
    [InlineData("3003 0001")]
    public void Incomplete_input_returns_false_and_leaves_the_buffer_unchanged(string hex)
    {
        var original = new ReadOnlySequence<byte>(Wire.Hex(hex));
        var buffer = original;
        Assert.False(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
        Assert.Equal(original.Start, buffer.Start);
        Assert.Equal(original.End, buffer.End);
    }
}
