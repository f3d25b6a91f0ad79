using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class ConnAckCodecTests
{
    [Fact]
    public void V311_session_present_golden()
        => Wire.AssertGolden(new ConnAckPacket { SessionPresent = true }, MqttProtocolVersion.V311, "20 02 01 00");

    [Fact]
    public void V310_has_no_session_present_golden()
        => Wire.AssertGolden(new ConnAckPacket { ReasonCode = ReasonCode.ClientIdentifierNotValid }, MqttProtocolVersion.V310, "20 02 00 02");

    [Fact]
    public void V310_never_writes_session_present()
        => Assert.Equal("20020000", Wire.ToHex(Wire.Encode(new ConnAckPacket { SessionPresent = true }, MqttProtocolVersion.V310)));

    [Theory]
    [InlineData(ReasonCode.Success, "00")]
    [InlineData(ReasonCode.UnsupportedProtocolVersion, "01")]
    [InlineData(ReasonCode.ClientIdentifierNotValid, "02")]
    [InlineData(ReasonCode.ServerUnavailable, "03")]
    [InlineData(ReasonCode.BadUserNameOrPassword, "04")]
    [InlineData(ReasonCode.NotAuthorized, "05")]
    [InlineData(ReasonCode.Banned, "05")]
    [InlineData(ReasonCode.QuotaExceeded, "03")]
    public void V3_writes_the_return_code_of_the_reason_code(ReasonCode code, string returnCode)
        => Assert.Equal("200200" + returnCode, Wire.ToHex(Wire.Encode(new ConnAckPacket { ReasonCode = code }, MqttProtocolVersion.V311)));

    [Fact]
    public void V500_without_properties_golden()
        => Wire.AssertGolden(new ConnAckPacket(), MqttProtocolVersion.V500, "20 03 00 00 00");

    [Fact]
    public void V500_with_properties_golden()
    {
        var packet = new ConnAckPacket
        {
            ReasonCode = ReasonCode.Success,
            Properties = new MqttProperties { MaximumQoS = 1, RetainAvailable = 0, AssignedClientIdentifier = "id" },
        };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "20 0C 00 00 09 12 0002 6964 24 01 25 00");
    }

    [Fact]
    public void V311_reserved_acknowledge_flags_are_malformed_MQTT_3_2_2_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("20 02 02 00"), MqttProtocolVersion.V311);

    [Fact]
    public void V311_reserved_return_code_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("20 02 00 06"), MqttProtocolVersion.V311);

    [Fact]
    public void V500_without_property_length_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("20 02 00 00"), MqttProtocolVersion.V500);

    [Theory]
    [InlineData("02 24 02")] // Maximum QoS 2
    [InlineData("02 25 02")] // Retain Available 2
    [InlineData("02 28 02")] // Wildcard Subscription Available 2
    [InlineData("02 29 02")] // Subscription Identifiers Available 2
    [InlineData("02 2A 02")] // Shared Subscription Available 2
    [InlineData("03 21 0000")] // Receive Maximum 0
    [InlineData("05 27 00000000")] // Maximum Packet Size 0
    [InlineData("06 13 0001 13 0002")] // Server Keep Alive twice
    public void V500_property_out_of_range_or_repeated_is_a_protocol_error(string properties)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x20, "00 00 " + properties), MqttProtocolVersion.V500);

    [Theory]
    [InlineData("02 01 00")] // Payload Format Indicator: PUBLISH only
    [InlineData("02 7F 00")] // unknown id
    [InlineData("03 13 00")] // truncated value
    [InlineData("05 13 0001")] // property length beyond the packet
    public void V500_bad_property_is_malformed(string properties)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x20, "00 00 " + properties), MqttProtocolVersion.V500);

    [Fact]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("21 02 00 00"), MqttProtocolVersion.V311);
}
