using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Protocol.Tests.Support;

namespace Manta.Protocol.Tests.Codec;

public class PublishResponseCodecTests
{
    public static TheoryData<byte, MqttProtocolVersion> Kinds()
    {
        var data = new TheoryData<byte, MqttProtocolVersion>();
        foreach (var first in new byte[] { 0x40, 0x50, 0x62, 0x70 })
        {
            foreach (var version in new[] { MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                data.Add(first, version);
            }
        }

        return data;
    }

    private static PublishResponsePacket Create(byte first) => (first >> 4) switch
    {
        4 => new PubAckPacket(),
        5 => new PubRecPacket(),
        6 => new PubRelPacket(),
        _ => new PubCompPacket(),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Success_is_two_bytes_golden(byte first, MqttProtocolVersion version)
    {
        var packet = Create(first);
        packet.PacketId = 10;
        Wire.AssertGolden(packet, version, $"{first:X2} 02 000A");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void V500_reason_code_without_properties_golden(byte first, MqttProtocolVersion version)
    {
        if (version != MqttProtocolVersion.V500)
        {
            return;
        }

        var packet = Create(first);
        packet.PacketId = 10;
        packet.ReasonCode = ReasonCode.PacketIdentifierNotFound;
        Wire.AssertGolden(packet, version, $"{first:X2} 03 000A 92");
    }

    [Fact]
    public void V500_reason_string_golden()
    {
        var packet = new PubAckPacket { PacketId = 10, ReasonCode = ReasonCode.NoMatchingSubscribers, Properties = new MqttProperties { ReasonString = "x" } };
        Wire.AssertGolden(packet, MqttProtocolVersion.V500, "40 08 000A 10 04 1F 0001 78");
    }

    [Fact]
    public void V500_success_with_empty_property_length_decodes()
    {
        var packet = (PubCompPacket)Wire.Decode(Wire.Hex("70 04 0001 00 00"), MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Success, packet.ReasonCode);
        Assert.Null(packet.Properties);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Packet_id_0_is_a_protocol_error_MQTT_2_2_1_3(byte first, MqttProtocolVersion version)
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex($"{first:X2} 02 0000"), version);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Truncated_packet_id_is_malformed(byte first, MqttProtocolVersion version)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex($"{first:X2} 01 00"), version);

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public void V3_puback_with_length_3_is_malformed(MqttProtocolVersion version)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("40 03 0001 00"), version);

    [Theory]
    [InlineData("41")]
    [InlineData("52")]
    [InlineData("60")]
    [InlineData("63")]
    [InlineData("6A")]
    [InlineData("78")]
    public void Fixed_header_flags_must_be_reserved_values_MQTT_2_1_3_1(string first)
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex(first + "02 0001"), MqttProtocolVersion.V311);

    [Fact]
    public void V310_tolerates_dup_on_pubrel()
        => Assert.IsType<PubRelPacket>(Wire.Decode(Wire.Hex("6A 02 0001"), MqttProtocolVersion.V310));

    [Fact]
    public void V500_property_not_allowed_is_malformed()
        => Wire.AssertRejected(ReasonCode.MalformedPacket, Wire.Hex("40 06 0001 00 02 01 00"), MqttProtocolVersion.V500);

    [Fact]
    public void V500_reason_string_twice_is_a_protocol_error()
        => Wire.AssertRejected(ReasonCode.ProtocolError, Wire.Hex("40 0C 0001 00 08 1F 0001 61 1F 0001 62"), MqttProtocolVersion.V500);
}
