using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class ConnectCodecTests
{
    private const MqttProtocolVersion V310 = MqttProtocolVersion.V310;
    private const MqttProtocolVersion V311 = MqttProtocolVersion.V311;
    private const MqttProtocolVersion V500 = MqttProtocolVersion.V500;

    [Fact]
    public void V311_spec_example_variable_header_golden()
    {
        // MQTT 3.1.1 section 3.1.2.10: name "MQTT", level 4, flags 0xCE
        // (user, password, will QoS 1, will, clean session), keep alive 10.
        var packet = new ConnectPacket
        {
            ProtocolName = "MQTT",
            ProtocolVersion = V311,
            CleanStart = true,
            KeepAliveSeconds = 10,
            ClientId = "c",
            Will = new WillMessage { Topic = "w", Payload = "p"u8.ToArray(), QoS = QualityOfService.AtLeastOnce },
            UserName = "u",
            Password = "pw"u8.ToArray(),
        };
        Wire.AssertGolden(packet, V311, "10 1A 0004 4D515454 04 CE 000A 0001 63 0001 77 0001 70 0001 75 0002 7077");
    }

    [Fact]
    public void V500_spec_example_variable_header_golden()
    {
        // MQTT 5 section 3.1.2.12: flags 0xC2 (user, password, clean start), keep alive 10,
        // properties: Session Expiry Interval 10.
        var packet = new ConnectPacket
        {
            ProtocolVersion = V500,
            KeepAliveSeconds = 10,
            ClientId = "c",
            UserName = "u",
            Password = "pw"u8.ToArray(),
            Properties = new MqttProperties { SessionExpiryInterval = 10 },
        };
        Wire.AssertGolden(packet, V500, "10 1A 0004 4D515454 05 C2 000A 05 11 0000000A 0001 63 0001 75 0002 7077");
    }

    [Fact]
    public void V310_uses_MQIsdp_level_3_golden()
    {
        var packet = new ConnectPacket { ProtocolName = "MQIsdp", ProtocolVersion = V310, KeepAliveSeconds = 60, ClientId = "abc" };
        Wire.AssertGolden(packet, V310, "10 11 0006 4D5149736470 03 02 003C 0003 616263");
    }

    [Fact]
    public void V500_will_with_properties_golden()
    {
        var packet = new ConnectPacket
        {
            ProtocolVersion = V500,
            CleanStart = false,
            ClientId = "",
            Will = new WillMessage
            {
                Topic = "t",
                Payload = [0xAA],
                QoS = QualityOfService.ExactlyOnce,
                Retain = true,
                Properties = new MqttProperties { WillDelayInterval = 1 },
            },
        };
        Wire.AssertGolden(packet, V500, "10 19 0004 4D515454 05 34 0000 00 0000 05 18 00000001 0001 74 0001 AA");
    }

    [Fact]
    public void V500_allows_password_without_user_name()
    {
        var packet = new ConnectPacket { ProtocolVersion = V500, ClientId = "c", Password = [1] };
        Wire.AssertGolden(packet, V500, "10 11 0004 4D515454 05 42 0000 00 0001 63 0001 01");
    }

    [Fact]
    public void Unknown_protocol_name_is_a_protocol_error_MQTT_3_1_2_1()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x10, "0004 4D515458 04 02 0000 0001 63"), MqttProtocolVersion.Unknown);

    [Theory]
    [InlineData("0004 4D515454 03")]
    [InlineData("0004 4D515454 06")]
    [InlineData("0006 4D5149736470 04")]
    [InlineData("0006 4D5149736470 05")]
    public void Unsupported_level_is_unsupported_protocol_version_MQTT_3_1_2_2(string nameAndLevel)
        => Wire.AssertRejected(ReasonCode.UnsupportedProtocolVersion, Wire.Packet(0x10, nameAndLevel + "02 0000 0001 63"), MqttProtocolVersion.Unknown);

    [Theory]
    [InlineData(V311, "0004 4D515454 04 03 0000 0001 63")]
    [InlineData(V500, "0004 4D515454 05 03 0000 00 0001 63")]
    public void Reserved_flag_set_is_malformed_MQTT_3_1_2_3(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, body), version);

    [Theory]
    [InlineData("08")] // will QoS 1 without will flag
    [InlineData("10")] // will QoS 2 without will flag
    [InlineData("20")] // will retain without will flag
    public void Will_qos_or_retain_without_will_flag_is_malformed_MQTT_3_1_2_11_and_13(string flags)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 04" + flags + "0000 0001 63"), V311);

    [Fact]
    public void Will_qos_3_is_malformed_MQTT_3_1_2_14()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 04 1C 0000 0001 63 0001 74 0000"), V311);

    [Theory]
    [InlineData("0006 4D5149736470 03")]
    [InlineData("0004 4D515454 04")]
    public void V3_password_without_user_name_is_malformed_MQTT_3_1_2_22(string nameAndLevel)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, nameAndLevel + "40 0000 0001 63 0001 01"), V311);

    [Theory]
    [InlineData(0x11)]
    [InlineData(0x12)]
    [InlineData(0x18)]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1(byte first)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(first, "0004 4D515454 04 02 0000 0001 63"), V311);

    [Fact]
    public void Trailing_bytes_are_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 04 02 0000 0001 63 00"), V311);

    [Fact]
    public void Truncated_client_id_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 04 02 0000 0005 63"), V311);

    [Theory]
    [InlineData("0001 00")] // U+0000
    [InlineData("0001 FF")] // not UTF-8
    [InlineData("0003 EDA080")] // encoded surrogate U+D800
    public void Client_id_not_well_formed_is_malformed_MQTT_1_5_4_1_and_2(string clientId)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 04 02 0000" + clientId), V311);

    [Fact]
    public void Will_topic_with_wildcard_is_topic_name_invalid()
        => Wire.AssertRejected(ReasonCode.TopicNameInvalid, Wire.Packet(0x10, "0004 4D515454 04 06 0000 0001 63 0001 23 0000"), V311);

    [Fact]
    public void V500_property_not_allowed_in_connect_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 05 02 0000 03 23 0001 0001 63"), V500);

    [Fact]
    public void V500_will_property_not_allowed_in_will_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x10, "0004 4D515454 05 06 0000 00 0001 63 05 11 00000001 0001 74 0000"), V500);

    [Fact]
    public void V500_authentication_data_without_method_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x10, "0004 4D515454 05 02 0000 04 16 0001 01 0001 63"), V500);

    [Fact]
    public void Version_argument_is_ignored_for_connect()
    {
        var bytes = Wire.Encode(new ConnectPacket { ProtocolVersion = V500, ClientId = "x" }, V500);
        var decoded = (ConnectPacket)Wire.Decode(bytes, V311);
        Assert.Equal(V500, decoded.ProtocolVersion);
    }
}
