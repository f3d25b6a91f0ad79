using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>AUTH (section 3.15, v5 only).</summary>
public sealed class AuthPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Auth;

    public ReasonCode ReasonCode { get; set; }

    public MqttProperties? Properties { get; set; }
}
