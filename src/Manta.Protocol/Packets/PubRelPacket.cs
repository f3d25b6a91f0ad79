namespace Manta.Protocol.Packets;

/// <summary>PUBREL.</summary>
public sealed class PubRelPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubRel;
}
