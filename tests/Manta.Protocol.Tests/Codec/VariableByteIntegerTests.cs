using System.Buffers;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class VariableByteIntegerTests
{
    // MQTT 5 table 1-1 / MQTT 3.1.1 table 2.4: the boundary values of each encoded size.
    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16383, "FF7F")]
    [InlineData(16384, "808001")]
    [InlineData(2097151, "FFFF7F")]
    [InlineData(2097152, "80808001")]
    [InlineData(268435455, "FFFFFF7F")]
    public void Boundary_values_encode_and_decode(int value, string hex)
    {
        var buffer = new byte[4];
        var n = MqttWire.WriteVariableByteInteger(buffer, value);
        Assert.Equal(hex, Wire.ToHex(buffer[..n]));
        Assert.Equal(n, MqttWire.GetVariableByteIntegerSize(value));

        var position = 0;
        Assert.Equal(value, MqttWire.ReadVariableByteInteger(Wire.Hex(hex), ref position));
        Assert.Equal(n, position);
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16383, "FF7F")]
    [InlineData(16384, "808001")]
    [InlineData(2097151, "FFFF7F")]
    [InlineData(2097152, "80808001")]
    [InlineData(268435455, "FFFFFF7F")]
    public void Boundary_values_as_remaining_length_are_framed(int value, string hex)
    {
        // Only the header is supplied: the frame reader must know the total before the body arrives.
        var header = Wire.Hex("30" + hex);
        var buffer = new ReadOnlySequence<byte>(header);
        if (value == 0)
        {
            Assert.True(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame));
            Assert.Equal(header.Length, frame.TotalSize);
            return;
        }

        Assert.False(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
        var ex = Assert.Throws<MqttProtocolException>(() =>
        {
            var b = new ReadOnlySequence<byte>(header);
            MqttFrameReader.TryRead(ref b, header.Length + value - 1, out _);
        });
        Assert.Equal(ReasonCode.PacketTooLarge, ex.ReasonCode);
    }

    [Fact]
    public void Encoder_writes_remaining_length_of_16384_with_three_bytes()
    {
        var packet = new PublishPacket { Topic = "t", Payload = new byte[16384 - 3] };
        var bytes = Wire.Encode(packet, MqttProtocolVersion.V311);
        Assert.Equal("30808001", Wire.ToHex(bytes[..4]));
        Assert.Equal(4 + 16384, bytes.Length);
        Assert.Equal(bytes.Length, PublishEncoder.GetSize(MqttProtocolVersion.V311, 1, QualityOfService.AtMostOnce, 16384 - 3, 0, false, 0, default, 0));
    }

    [Fact]
    public void Five_byte_value_is_malformed_MQTT_1_5_5()
    {
        var position = 0;
        var ex = Assert.Throws<MqttProtocolException>(() => MqttWire.ReadVariableByteInteger(Wire.Hex("FFFFFFFF01"), ref position));
        Assert.Equal(ReasonCode.MalformedPacket, ex.ReasonCode);
    }

    [Fact]
    public void Value_above_the_maximum_cannot_be_encoded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MqttWire.WriteVariableByteInteger(new byte[5], 268435456));
        Assert.Throws<ArgumentOutOfRangeException>(() => MqttWire.GetVariableByteIntegerSize(268435456));
    }
}
