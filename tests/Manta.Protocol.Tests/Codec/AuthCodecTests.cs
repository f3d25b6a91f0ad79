using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class AuthCodecTests
{
    [Fact]
    public void Success_is_empty_golden()
        => Wire.AssertGolden(new AuthPacket(), MqttProtocolVersion.V500, "F0 00");

    [Fact]
    public void Continue_with_method_and_data_golden()
    {
        var packet = new AuthPacket
        {
            ReasonCode = ReasonCode.ContinueAuthentication,
            Properties = new MqttProperties { AuthenticationMethod = "m", AuthenticationData = [1, 2] },
        };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "F0 0B 18 09 15 0001 6D 16 0002 0102");
    }

    [Fact]
    public void Reason_code_only_decodes()
        => Assert.Equal(ReasonCode.ReAuthenticate, ((AuthPacket)Wire.Decode(Wire.Hex("F0 01 19"), MqttProtocolVersion.V500)).ReasonCode);

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void Auth_in_v3_is_malformed(MqttProtocolVersion version)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("F0 00"), version);

    [Fact]
    public void Auth_cannot_be_encoded_for_v3()
        => Assert.Throws<ArgumentException>(() => Wire.Encode(new AuthPacket(), MqttProtocolVersion.V311));

    [Fact]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("F1 00"), MqttProtocolVersion.V500);

    [Fact]
    public void Method_twice_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex("F0 0A 18 08 15 0001 6D 15 0001 6E"), MqttProtocolVersion.V500);
}
