using Manta.Broker.Messages;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Persistence;

/// <summary>One change to durable state; which fields are set depends on <see cref="Kind"/>.</summary>
public readonly record struct StoreOperation
{
    public StoreOperationKind Kind { get; init; }

    public string ClientId { get; init; }

    public uint ExpiryInterval { get; init; }

    public MqttProtocolVersion ProtocolVersion { get; init; }

    /// <summary>Wall-clock time the session lost its connection (Unix ms); null while connected.</summary>
    public long? DisconnectedAtUnixMs { get; init; }

    /// <summary>Subscription filter as the client sent it (incl. <c>$share/g/</c>), or the topic of a removed retained message.</summary>
    public string? TopicFilter { get; init; }

    public StoredSubscription? Subscription { get; init; }

    /// <summary>
    /// Delivery number, unique across all sessions and never reused (it continues after
    /// <see cref="StoredState.LastDeliveryId"/>); within a session it increases in the order the
    /// session got its deliveries.
    /// </summary>
    public long DeliveryId { get; init; }

    public ushort PacketId { get; init; }

    /// <summary>The message; arrives with a reference taken for the store.</summary>
    public MqttMessage? Message { get; init; }

    /// <summary>Wall-clock expiry of <see cref="Message"/> (Unix ms), when it has one.</summary>
    public long? MessageExpiresAtUnixMs { get; init; }

    public QualityOfService QoS { get; init; }

    public bool Retain { get; init; }

    public uint[]? SubscriptionIdentifiers { get; init; }

    public WillMessage? Will { get; init; }

    public long WillDueAtUnixMs { get; init; }
}
