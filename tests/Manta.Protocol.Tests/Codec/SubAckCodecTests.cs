using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class SubAckCodecTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_golden(MqttProtocolVersion version)
    {
        var packet = new SubAckPacket { PacketId = 10, ReasonCodes = [ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS2, ReasonCode.UnspecifiedError] };
        Wire.AssertGolden(packet, version, "90 05 000A 01 02 80");
    }

    [Fact]
    public void V3_writes_every_failure_as_0x80_MQTT_3_9_3()
    {
        var packet = new SubAckPacket { PacketId = 1, ReasonCodes = [ReasonCode.NotAuthorized, ReasonCode.TopicFilterInvalid, ReasonCode.GrantedQoS0] };
        Assert.Equal("9005000180" + "8000", Wire.ToHex(Wire.Encode(packet, MqttProtocolVersion.V311)));
    }

    [Fact]
    public void V500_golden()
    {
        var packet = new SubAckPacket
        {
            PacketId = 10,
            ReasonCodes = [ReasonCode.GrantedQoS0, ReasonCode.NotAuthorized, ReasonCode.SharedSubscriptionsNotSupported],
            Properties = new MqttProperties { ReasonString = "r" },
        };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "90 0A 000A 04 1F 0001 72 00 87 9E");
    }

    [Fact]
    public void V3_reserved_return_code_is_malformed_MQTT_3_9_3_2()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("90 03 000A 03"), MqttProtocolVersion.V311);

    [Fact]
    public void Packet_id_0_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex("90 03 0000 00"), MqttProtocolVersion.V311);

    [Fact]
    public void Fixed_header_flags_must_be_zero_MQTT_2_1_3_1()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("92 03 0001 00"), MqttProtocolVersion.V311);
}
