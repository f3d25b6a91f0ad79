namespace Manta.Protocol.Packets;

/// <summary>Base of every decoded control packet.</summary>
public abstract class MqttPacket
{
    /// <summary>The control packet type.</summary>
    public abstract MqttPacketType Type { get; }
}
