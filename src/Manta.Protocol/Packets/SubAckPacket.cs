using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>SUBACK (section 3.9). For 3.x any code of 0x80 or above is written as 0x80 (failure).</summary>
public sealed class SubAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.SubAck;

    public ushort PacketId { get; set; }

    public List<ReasonCode> ReasonCodes { get; set; } = [];

    public MqttProperties? Properties { get; set; }
}
