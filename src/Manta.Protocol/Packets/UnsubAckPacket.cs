using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>UNSUBACK (section 3.11). 3.x carries only the packet identifier.</summary>
public sealed class UnsubAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.UnsubAck;

    public ushort PacketId { get; set; }

    /// <summary>v5 only: one per topic filter of the UNSUBSCRIBE.</summary>
    public List<ReasonCode> ReasonCodes { get; set; } = [];

    public MqttProperties? Properties { get; set; }
}
