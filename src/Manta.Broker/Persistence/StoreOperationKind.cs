namespace Manta.Broker.Persistence;

/// <summary>What a <see cref="StoreOperation"/> changes; the fields it uses are listed on each.</summary>
public enum StoreOperationKind
{
    /// <summary>A persistent session exists (ClientId, ExpiryInterval, ProtocolVersion, DisconnectedAtUnixMs: null while connected).</summary>
    SessionSaved,

    /// <summary>A session ended: it and everything of it are gone (ClientId).</summary>
    SessionRemoved,

    /// <summary>A subscription was added or replaced (ClientId, Subscription).</summary>
    SubscriptionSaved,

    /// <summary>A subscription was removed (ClientId, TopicFilter).</summary>
    SubscriptionRemoved,

    /// <summary>A QoS 1/2 delivery owed to the session (ClientId, DeliveryId, Message, QoS, Retain, SubscriptionIdentifiers; PacketId when it goes straight out).</summary>
    DeliveryAdded,

    /// <summary>A queued delivery was sent with a packet id (ClientId, DeliveryId, PacketId).</summary>
    DeliverySent,

    /// <summary>QoS 2: the client answered PUBREC; only the PUBREL/PUBCOMP step remains (ClientId, DeliveryId).</summary>
    DeliveryReleased,

    /// <summary>The delivery is done or dropped (ClientId, DeliveryId).</summary>
    DeliveryRemoved,

    /// <summary>An inbound QoS 2 packet id was received and not yet released (ClientId, PacketId).</summary>
    InboundQos2Added,

    /// <summary>PUBREL for an inbound QoS 2 packet id (ClientId, PacketId).</summary>
    InboundQos2Removed,

    /// <summary>A will waits for its delay (ClientId, Will, WillDueAtUnixMs).</summary>
    WillSaved,

    /// <summary>A waiting will was published or cancelled (ClientId).</summary>
    WillRemoved,

    /// <summary>A retained message was stored (Message).</summary>
    RetainedSet,

    /// <summary>A retained message was deleted (TopicFilter holds the topic).</summary>
    RetainedRemoved,
}
