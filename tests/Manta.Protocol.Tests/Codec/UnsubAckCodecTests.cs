using Manta.Protocol.Packets;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class UnsubAckCodecTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_carries_only_the_packet_id_golden(MqttProtocolVersion version)
        => Wire.AssertGolden(new UnsubAckPacket { PacketId = 10 }, version, "B0 02 000A");

    [Fact]
    public void V3_drops_reason_codes()
        => Assert.Equal("B002000A", Wire.ToHex(Wire.Encode(new UnsubAckPacket { PacketId = 10, ReasonCodes = [ReasonCode.Success] }, MqttProtocolVersion.V311)));

    [Fact]
    public void V500_golden()
        => Wire.AssertGolden(new UnsubAckPacket { PacketId = 10, ReasonCodes = [ReasonCode.Success, ReasonCode.NoSubscriptionExisted] }, MqttProtocolVersion.V500, "B0 05 000A 00 00 11");

    [Fact]
    public void V3_with_trailing_bytes_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("B0 03 000A 00"), MqttProtocolVersion.V311);

    [Fact]
    public void Packet_id_0_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex("B0 02 0000"), MqttProtocolVersion.V311);
}
