using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>The shared shape of PUBACK, PUBREC, PUBREL and PUBCOMP.</summary>
public abstract class PublishResponsePacket : MqttPacket
{
    public ushort PacketId { get; set; }

    /// <summary>v5 only; 3.x has no reason code (always success).</summary>
    public ReasonCode ReasonCode { get; set; }

    public MqttProperties? Properties { get; set; }
}
