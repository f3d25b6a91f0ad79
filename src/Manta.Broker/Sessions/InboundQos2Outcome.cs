namespace Manta.Broker.Sessions;

/// <summary>What an inbound QoS 2 PUBLISH is, with respect to the ones awaiting PUBREL.</summary>
internal enum InboundQos2Outcome
{
    /// <summary>A new message: route it.</summary>
    New,

    /// <summary>A resend of one already received: acknowledge again, do not route.</summary>
    Duplicate,

    /// <summary>More unreleased messages than the announced Receive Maximum.</summary>
    LimitExceeded,
}
