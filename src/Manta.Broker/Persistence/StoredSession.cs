using Manta.Protocol;

namespace Manta.Broker.Persistence;

/// <summary>A persistent session as stored: deliveries in delivery-id order.</summary>
public sealed record StoredSession(
    string ClientId,
    uint ExpiryInterval,
    MqttProtocolVersion ProtocolVersion,
    long? DisconnectedAtUnixMs,
    IReadOnlyList<StoredSubscription> Subscriptions,
    IReadOnlyList<StoredDelivery> Deliveries,
    IReadOnlyList<ushort> InboundQos2,
    StoredWill? Will);
