using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class SubscribeCodecTests
{
    private const MqttProtocolVersion V311 = MqttProtocolVersion.V311;
    private const MqttProtocolVersion V500 = MqttProtocolVersion.V500;

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_spec_example_golden(MqttProtocolVersion version)
    {
        // MQTT 3.1.1 section 3.8.3: "a/b" QoS 1 and "c/d" QoS 2, packet identifier 10.
        var packet = new SubscribePacket
        {
            PacketId = 10,
            Subscriptions =
            [
                new() { TopicFilter = "a/b", MaximumQoS = QualityOfService.AtLeastOnce },
                new() { TopicFilter = "c/d", MaximumQoS = QualityOfService.ExactlyOnce },
            ],
        };
        Wire.AssertGolden(packet, version, "82 0E 000A 0003 612F62 01 0003 632F64 02");
    }

    [Fact]
    public void V500_options_and_subscription_identifier_golden()
    {
        var packet = new SubscribePacket
        {
            PacketId = 10,
            Properties = new MqttProperties { SubscriptionIdentifiers = [5] },
            Subscriptions =
            [
                new()
                {
                    TopicFilter = "a/b",
                    MaximumQoS = QualityOfService.AtLeastOnce,
                    NoLocal = true,
                    RetainAsPublished = true,
                    RetainHandling = RetainHandling.DoNotSend,
                },
            ],
        };
        Wire.AssertGolden(packet, V500, "82 0B 000A 02 0B 05 0003 612F62 2D");
    }

    [Fact]
    public void V500_shared_subscription_without_no_local_golden()
    {
        var packet = new SubscribePacket { PacketId = 1, Subscriptions = [new() { TopicFilter = "$share/g/#" }] };
        Wire.AssertGolden(packet, V500, "82 10 0001 00 000A 2473686172652F672F23 00");
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "000A")]
    [InlineData(MqttProtocolVersion.V500, "000A 00")]
    public void No_topic_filters_is_a_protocol_error_MQTT_3_8_3_3(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, body), version);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "000A 0001 61 04")]
    [InlineData(MqttProtocolVersion.V311, "000A 0001 61 80")]
    [InlineData(MqttProtocolVersion.V500, "000A 00 0001 61 40")]
    [InlineData(MqttProtocolVersion.V500, "000A 00 0001 61 80")]
    public void Reserved_option_bits_are_malformed_MQTT_3_8_3_5(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x82, body), version);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "000A 0001 61 03")]
    [InlineData(MqttProtocolVersion.V500, "000A 00 0001 61 03")]
    public void Qos_3_is_malformed_MQTT_3_8_3_4(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x82, body), version);

    [Fact]
    public void Retain_handling_3_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, "000A 00 0001 61 30"), V500);

    [Theory]
    [InlineData("0000")] // empty
    [InlineData("0004 612F2B61")] // "a/+a"
    [InlineData("0002 2361")] // "#a"
    [InlineData("0003 232F61")] // "#/a"
    [InlineData("0002 612B")] // "a+"
    [InlineData("0001 00")] // U+0000
    [InlineData("0009 2473686172652F2F61")] // "$share//a": empty group
    [InlineData("0008 2473686172652F67")] // "$share/g": no filter
    public void Invalid_topic_filter_is_malformed_MQTT_4_7_1_1(string filter)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x82, "000A" + filter + "00"), V311);

    [Fact]
    public void V500_no_local_on_shared_subscription_is_a_protocol_error_MQTT_3_8_3_4()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, "0001 00 000A 2473686172652F672F23 04"), V500);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "0000 0001 61 00")]
    [InlineData(MqttProtocolVersion.V500, "0000 00 0001 61 00")]
    public void Packet_id_0_is_a_protocol_error_MQTT_2_2_1_3(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, body), version);

    [Theory]
    [InlineData(0x80)]
    [InlineData(0x83)]
    [InlineData(0x8A)]
    public void Fixed_header_flags_must_be_0010_MQTT_3_8_1_1(byte first)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(first, "000A 0001 61 00"), V311);

    [Fact]
    public void V500_two_subscription_identifiers_are_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, "000A 04 0B 01 0B 02 0001 61 00"), V500);

    [Fact]
    public void V500_subscription_identifier_0_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x82, "000A 02 0B 00 0001 61 00"), V500);

    [Fact]
    public void V500_subscription_identifier_of_five_bytes_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x82, "000A 06 0B FFFFFFFF7F 0001 61 00"), V500);

    [Fact]
    public void Missing_options_byte_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x82, "000A 0001 61"), V311);
}
