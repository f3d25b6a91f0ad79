using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class DisconnectCodecTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public void Normal_disconnect_is_empty_golden(MqttProtocolVersion version)
        => Wire.AssertGolden(new DisconnectPacket(), version, "E0 00");

    [Fact]
    public void V3_ignores_the_reason_code_when_encoding()
        => Assert.Equal("E000", Wire.ToHex(Wire.Encode(new DisconnectPacket { ReasonCode = ReasonCode.ServerBusy }, MqttProtocolVersion.V311)));

    [Fact]
    public void V500_reason_code_only_golden()
        => Wire.AssertGolden(new DisconnectPacket { ReasonCode = ReasonCode.DisconnectWithWillMessage }, MqttProtocolVersion.V500, "E0 01 04");

    [Fact]
    public void V500_with_properties_golden()
    {
        var packet = new DisconnectPacket
        {
            ReasonCode = ReasonCode.UseAnotherServer,
            Properties = new MqttProperties { SessionExpiryInterval = 0, ServerReference = "s" },
        };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "E0 0B 9C 09 11 00000000 1C 0001 73");
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_with_a_body_is_malformed(MqttProtocolVersion version)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("E0 01 00"), version);

    [Fact]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("E2 00"), MqttProtocolVersion.V500);

    [Fact]
    public void V500_property_not_allowed_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("E0 04 00 02 24 00"), MqttProtocolVersion.V500);
}
