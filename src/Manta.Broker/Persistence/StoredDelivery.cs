using Manta.Protocol;

namespace Manta.Broker.Persistence;

/// <summary>
/// A QoS 1/2 delivery owed to a session. PacketId 0: still queued. Released: QoS 2 after PUBREC,
/// only PUBREL remains to be sent (Message may then be null).
/// </summary>
public sealed record StoredDelivery(long Id, StoredMessage? Message, QualityOfService QoS, bool Retain, uint[]? SubscriptionIdentifiers, ushort PacketId, bool Released);
