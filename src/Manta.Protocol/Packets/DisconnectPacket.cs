using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>DISCONNECT (section 3.14). 3.x carries nothing.</summary>
public sealed class DisconnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Disconnect;

    public ReasonCode ReasonCode { get; set; }

    public MqttProperties? Properties { get; set; }
}
