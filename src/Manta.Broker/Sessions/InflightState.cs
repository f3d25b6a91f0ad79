namespace Manta.Broker.Sessions;

/// <summary>Where an outbound QoS 1/2 message is in its acknowledgement flow.</summary>
internal enum InflightState : byte
{
    /// <summary>QoS 1 PUBLISH sent, PUBACK awaited.</summary>
    AwaitingPubAck,

    /// <summary>QoS 2 PUBLISH sent, PUBREC awaited.</summary>
    AwaitingPubRec,

    /// <summary>QoS 2 PUBREL sent, PUBCOMP awaited; the message itself is no longer needed.</summary>
    AwaitingPubComp,
}
