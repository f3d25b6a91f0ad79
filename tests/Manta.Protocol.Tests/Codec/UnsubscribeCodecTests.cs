using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class UnsubscribeCodecTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_golden(MqttProtocolVersion version)
        => Wire.AssertGolden(new UnsubscribePacket { PacketId = 10, TopicFilters = ["a/b", "+"] }, version, "A2 0A 000A 0003 612F62 0001 2B");

    [Fact]
    public void V500_golden()
    {
        var packet = new UnsubscribePacket { PacketId = 10, TopicFilters = ["a/b"], Properties = new MqttProperties { UserProperties = [new("k", "v")] } };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "A2 0F 000A 07 26 0001 6B 0001 76 0003 612F62");
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "000A")]
    [InlineData(MqttProtocolVersion.V500, "000A 00")]
    public void No_topic_filters_is_a_protocol_error_MQTT_3_10_3_2(MqttProtocolVersion version, string body)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0xA2, body), version);

    [Theory]
    [InlineData("0000")]
    [InlineData("0002 2361")]
    [InlineData("0001 00")]
    public void Invalid_topic_filter_is_malformed_MQTT_4_7_1_1(string filter)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0xA2, "000A" + filter), MqttProtocolVersion.V311);

    [Fact]
    public void Packet_id_0_is_a_protocol_error_MQTT_2_2_1_3()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Packet(0xA2, "0000 0001 61"), MqttProtocolVersion.V311);

    [Fact]
    public void Fixed_header_flags_must_be_0010_MQTT_3_10_1_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0xA0, "000A 0001 61"), MqttProtocolVersion.V311);

    [Fact]
    public void V500_subscription_identifier_is_not_allowed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Packet(0xA2, "000A 02 0B 01 0001 61"), MqttProtocolVersion.V500);
}
