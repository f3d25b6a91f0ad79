namespace Manta.Protocol.Packets;

/// <summary>PINGRESP; carries nothing, so one instance serves all.</summary>
public sealed class PingRespPacket : MqttPacket
{
    /// <summary>The shared instance.</summary>
    public static readonly PingRespPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingResp;
}
