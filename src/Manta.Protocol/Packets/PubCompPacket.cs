namespace Manta.Protocol.Packets;

/// <summary>PUBCOMP.</summary>
public sealed class PubCompPacket : PublishResponsePacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PubComp;
}
