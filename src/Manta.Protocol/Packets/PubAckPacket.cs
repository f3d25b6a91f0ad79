namespace Manta.Protocol.Packets;

/// <summary>PUBACK.</summary>
public sealed class PubAckPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubAck;
}
