namespace Manta.Broker.Connections;

/// <summary>What an <see cref="OutboundItem"/> stands for.</summary>
internal enum OutboundKind : byte
{
    /// <summary>A packet object, encoded by the general encoder (CONNACK, SUBACK, DISCONNECT, ...).</summary>
    Packet,

    /// <summary>An application message for this client.</summary>
    Publish,

    PubAck,
    PubRec,
    PubRel,
    PubComp,
    PingResp,
}
