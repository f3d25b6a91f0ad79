namespace Manta.Protocol.Packets;

/// <summary>PINGREQ; carries nothing, so one instance serves all.</summary>
public sealed class PingReqPacket : MqttPacket
{
    /// <summary>The shared instance.</summary>
    public static readonly PingReqPacket Instance = new();

    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.PingReq;
}
