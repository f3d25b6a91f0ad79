using Manta.Protocol.Packets;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class PingCodecTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Ping_golden(MqttProtocolVersion version)
    {
        Wire.AssertGolden(PingReqPacket.Instance, version, "C0 00");
        Wire.AssertGolden(PingRespPacket.Instance, version, "D0 00");
        Assert.Same(PingReqPacket.Instance, Wire.Decode(Wire.Hex("C000"), version));
    }

    [Theory]
    [InlineData("C0 01 00")]
    [InlineData("D0 01 00")]
    public void Ping_with_a_body_is_malformed(string hex)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex(hex), MqttProtocolVersion.V311);

    [Theory]
    [InlineData("C1 00")]
    [InlineData("D8 00")]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1(string hex)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex(hex), MqttProtocolVersion.V500);

    [Fact]
    public void Packet_before_connect_is_a_protocol_error_MQTT_3_1_0_1()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex("C0 00"), MqttProtocolVersion.Unknown);
}
