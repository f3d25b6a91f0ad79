using Manta.Broker.Messages;
using Manta.Broker.Persistence;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Storage.Sqlite.Tests.Support;

/// <summary>Store operations as the broker writes them.</summary>
internal static class Ops
{
    public static StoreOperation SessionSaved(string clientId, uint expiry = 3600, MqttProtocolVersion version = MqttProtocolVersion.V500, long? disconnectedAt = null)
        => new() { Kind = StoreOperationKind.SessionSaved, ClientId = clientId, ExpiryInterval = expiry, ProtocolVersion = version, DisconnectedAtUnixMs = disconnectedAt };

    public static StoreOperation SessionRemoved(string clientId)
        => new() { Kind = StoreOperationKind.SessionRemoved, ClientId = clientId };

    public static StoreOperation SubscriptionSaved(string clientId, StoredSubscription subscription)
        => new() { Kind = StoreOperationKind.SubscriptionSaved, ClientId = clientId, Subscription = subscription };

    public static StoreOperation SubscriptionRemoved(string clientId, string filter)
        => new() { Kind = StoreOperationKind.SubscriptionRemoved, ClientId = clientId, TopicFilter = filter };

    public static StoreOperation DeliveryAdded(string clientId, long id, MqttMessage message, QualityOfService qos = QualityOfService.AtLeastOnce, bool retain = false, uint[]? subscriptionIds = null, ushort packetId = 0, long? expiresAt = null)
        => new()
        {
            Kind = StoreOperationKind.DeliveryAdded,
            ClientId = clientId,
            DeliveryId = id,
            Message = message,
            QoS = qos,
            Retain = retain,
            SubscriptionIdentifiers = subscriptionIds,
            PacketId = packetId,
            MessageExpiresAtUnixMs = expiresAt,
        };

    public static StoreOperation DeliverySent(string clientId, long id, ushort packetId)
        => new() { Kind = StoreOperationKind.DeliverySent, ClientId = clientId, DeliveryId = id, PacketId = packetId };

    public static StoreOperation DeliveryReleased(string clientId, long id)
        => new() { Kind = StoreOperationKind.DeliveryReleased, ClientId = clientId, DeliveryId = id };

    public static StoreOperation DeliveryRemoved(string clientId, long id)
        => new() { Kind = StoreOperationKind.DeliveryRemoved, ClientId = clientId, DeliveryId = id };

    public static StoreOperation InboundAdded(string clientId, ushort packetId)
        => new() { Kind = StoreOperationKind.InboundQos2Added, ClientId = clientId, PacketId = packetId };

    public static StoreOperation InboundRemoved(string clientId, ushort packetId)
        => new() { Kind = StoreOperationKind.InboundQos2Removed, ClientId = clientId, PacketId = packetId };

    public static StoreOperation WillSaved(string clientId, WillMessage will, long dueAt)
        => new() { Kind = StoreOperationKind.WillSaved, ClientId = clientId, Will = will, WillDueAtUnixMs = dueAt };

    public static StoreOperation WillRemoved(string clientId)
        => new() { Kind = StoreOperationKind.WillRemoved, ClientId = clientId };

    public static StoreOperation RetainedSet(MqttMessage message, long? expiresAt = null)
        => new() { Kind = StoreOperationKind.RetainedSet, Message = message, MessageExpiresAtUnixMs = expiresAt };

    public static StoreOperation RetainedRemoved(string topic)
        => new() { Kind = StoreOperationKind.RetainedRemoved, TopicFilter = topic };
}
