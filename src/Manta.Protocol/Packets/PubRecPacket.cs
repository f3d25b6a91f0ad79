namespace Manta.Protocol.Packets;

/// <summary>PUBREC.</summary>
public sealed class PubRecPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubRec;
}
