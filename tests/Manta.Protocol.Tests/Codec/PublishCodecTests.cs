using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class PublishCodecTests
{
    private const MqttProtocolVersion V311 = MqttProtocolVersion.V311;
    private const MqttProtocolVersion V500 = MqttProtocolVersion.V500;

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_spec_example_topic_and_packet_id_golden(MqttProtocolVersion version)
    {
        // MQTT 3.1.1 section 3.3.2.3: topic "a/b", packet identifier 10.
        var packet = new PublishPacket { Topic = "a/b", QoS = QualityOfService.AtLeastOnce, PacketId = 10, Payload = "hi"u8.ToArray() };
        Wire.AssertGolden(packet, version, "32 09 0003 612F62 000A 6869");
    }

    [Fact]
    public void V311_qos0_golden()
        => Wire.AssertGolden(new PublishPacket { Topic = "a", Payload = "hi"u8.ToArray() }, V311, "30 05 0001 61 6869");

    [Fact]
    public void V311_dup_qos2_retain_empty_payload_golden()
        => Wire.AssertGolden(new PublishPacket { Topic = "a", QoS = QualityOfService.ExactlyOnce, Dup = true, Retain = true, PacketId = 0xFFFF }, V311, "3D 05 0001 61 FFFF");

    [Fact]
    public void V500_with_message_expiry_golden()
    {
        var packet = new PublishPacket
        {
            Topic = "a/b",
            QoS = QualityOfService.AtLeastOnce,
            PacketId = 10,
            Payload = "hi"u8.ToArray(),
            Properties = new MqttProperties { MessageExpiryInterval = 60 },
        };
        Wire.AssertGolden(packet, V500, "32 0F 0003 612F62 000A 05 02 0000003C 6869");
    }

    [Fact]
    public void V500_null_properties_write_length_zero_golden()
        => Wire.AssertGolden(new PublishPacket { Topic = "a" }, V500, "30 04 0001 61 00");

    [Fact]
    public void V500_empty_topic_with_alias_golden()
        => Wire.AssertGolden(new PublishPacket { Topic = "", Properties = new MqttProperties { TopicAlias = 2 } }, V500, "30 06 0000 03 23 0002");

    [Fact]
    public void V500_all_publish_properties_round_trip()
    {
        var packet = new PublishPacket
        {
            Topic = "t/ü",
            QoS = QualityOfService.ExactlyOnce,
            PacketId = 3,
            Payload = "{}"u8.ToArray(),
            Properties = new MqttProperties
            {
                PayloadFormatIndicator = 1,
                MessageExpiryInterval = uint.MaxValue,
                ContentType = "application/json",
                ResponseTopic = "reply/to",
                CorrelationData = [1, 2, 3],
                SubscriptionIdentifiers = [1, 268435455],
                TopicAlias = 65535,
                UserProperties = [new("a", "1"), new("a", "2"), new("", "")],
            },
        };
        Wire.AssertRoundTrip(packet, V500);
    }

    [Fact]
    public void Publish_with_qos3_is_malformed_MQTT_3_3_1_4()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x36, "0001 61 0001"), V311);

    [Fact]
    public void Publish_with_dup_on_qos0_is_malformed_MQTT_3_3_1_2()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x38, "0001 61"), V311);

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "0001 61 0000")]
    [InlineData(MqttProtocolVersion.V500, "0001 61 0000 00")]
    public void Publish_qos1_with_packet_id_0_is_a_protocol_error_MQTT_2_2_1_3(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x32, body), version);

    [Theory]
    [InlineData("0001 00")]
    [InlineData("0002 C328")]
    [InlineData("0003 EDBFBF")]
    [InlineData("0003 612B00")]
    public void Topic_not_well_formed_is_malformed_MQTT_1_5_4_1_and_2(string topic)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x30, topic), V311);

    [Theory]
    [InlineData("0001 2B")]
    [InlineData("0003 612F23")]
    [InlineData("0003 2B2F61")]
    public void Topic_with_wildcard_is_topic_name_invalid_MQTT_3_3_2_2(string topic)
    {
        Wire.AssertRejected(ReasonCode.TopicNameInvalid, Wire.Packet(0x30, topic), V311);
        Wire.AssertRejected(ReasonCode.TopicNameInvalid, Wire.Packet(0x30, topic + "00"), V500);
    }

    [Fact]
    public void V500_empty_topic_without_alias_is_a_protocol_error_MQTT_3_3_2_1()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x30, "0000 00"), V500);

    [Fact]
    public void V3_empty_topic_is_malformed_MQTT_4_7_3_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x30, "0000"), V311);

    [Fact]
    public void Topic_alias_0_is_topic_alias_invalid_MQTT_3_3_2_8()
        => Wire.AssertRejected(ReasonCode.TopicAliasInvalid, Wire.Packet(0x30, "0001 61 03 23 0000"), V500);

    [Theory]
    [InlineData("02 01 02")] // payload format 2
    [InlineData("04 01 00 01 01")] // payload format twice
    [InlineData("06 23 0001 23 0002")] // topic alias twice
    [InlineData("08 03 0001 61 03 0001 62")] // content type twice
    [InlineData("04 08 0001 23")] // response topic with a wildcard, MQTT-3.3.2-14
    [InlineData("03 08 0000")] // empty response topic
    public void V500_property_error_is_a_protocol_error(string properties)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x30, "0001 61 " + properties), V500);

    [Theory]
    [InlineData("02 11 00")] // session expiry: not in PUBLISH
    [InlineData("02 24 00")] // maximum QoS: not in PUBLISH
    [InlineData("02 00 00")] // id 0 does not exist
    [InlineData("02 FF 00")] // unknown
    [InlineData("02 02 00")] // truncated message expiry
    [InlineData("04 03 0005 61")] // string past the end of the properties
    [InlineData("07 26 0001 61 0001 FF")] // user property value not UTF-8
    public void V500_bad_property_is_malformed(string properties)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x30, "0001 61 " + properties), V500);

    [Fact]
    public void V500_property_length_beyond_the_packet_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x30, "0001 61 09 01 00"), V500);

    [Fact]
    public void Topic_length_beyond_the_packet_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x30, "0009 61"), V311);

    [Fact]
    public void Missing_packet_id_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0x32, "0001 61 00"), V311);

    [Fact]
    public void Decoder_accepts_repeated_subscription_identifiers_as_a_server_sends_them()
    {
        var packet = (PublishPacket)Wire.Decode(Wire.Packet(0x30, "0001 61 04 0B 01 0B 02"), V500);
        Assert.Equal([1u, 2u], packet.Properties!.SubscriptionIdentifiers!);
    }

    [Fact]
    public void Decoder_rejects_subscription_identifier_0()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0x30, "0001 61 02 0B 00"), V500);

    [Fact]
    public void Payload_is_a_copy_of_the_input()
    {
        var bytes = Wire.Packet(0x30, "0001 61 AABB");
        var packet = (PublishPacket)Wire.Decode(bytes, V311);
        bytes[^1] = 0;
        Assert.Equal([0xAA, 0xBB], packet.Payload.ToArray());
    }

    [Fact]
    public void Decode_and_PublishDecoder_agree()
    {
        var body = Wire.Hex("0003 612F62 0007 0A 01 01 03 0002 6A73 23 0004 AABB");
        PublishDecoder.Read(body, 0b0010, V500, out var view);
        var packet = (PublishPacket)Wire.Decode(Wire.Packet(0x32, body), V500);
        Assert.Equal(view.PacketId, packet.PacketId);
        Assert.Equal(view.TopicAlias, packet.Properties!.TopicAlias);
        Assert.Equal(body.AsSpan(view.PayloadOffset, view.PayloadLength).ToArray(), packet.Payload.ToArray());
    }
}
