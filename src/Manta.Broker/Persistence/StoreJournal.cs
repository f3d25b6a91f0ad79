using Manta.Broker.Messages;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Persistence;

/// <summary>
/// Turns the broker's changes to durable state into <see cref="StoreOperation"/>s for the store,
/// converting the broker's timestamps to wall-clock time. Remembers, per thread, the position of
/// the last operation it wrote, so a PUBLISH knows whether its acknowledgement must wait for a commit.
/// </summary>
internal sealed class StoreJournal
{
    [ThreadStatic]
    private static long t_written;

    private readonly ISessionStore _store;
    private readonly BrokerClock _clock;
    private readonly long _maximumStored;
    private long _stored;
    private long _lastDeliveryId;

    public StoreJournal(ISessionStore store, BrokerClock clock, long maximumStored)
    {
        _store = store;
        _clock = clock;
        _maximumStored = maximumStored;
    }

    /// <summary>False when the stored deliveries of all sessions reached the configured maximum.</summary>
    public bool HasRoom => _maximumStored == 0 || Volatile.Read(ref _stored) < _maximumStored;

    /// <summary>Deliveries stored for all sessions.</summary>
    public long Stored => Volatile.Read(ref _stored);

    /// <summary>The store.</summary>
    public ISessionStore Store => _store;

    /// <summary>Forgets what this thread wrote; <see cref="TakeWritten"/> then says whether a later step wrote anything.</summary>
    public static void BeginTracking() => t_written = 0;

    /// <summary>The position this thread's last write reached since <see cref="BeginTracking"/> (0 when none).</summary>
    public static long TakeWritten()
    {
        var written = t_written;
        t_written = 0;
        return written;
    }

    public void SessionSaved(string clientId, uint expiryInterval, MqttProtocolVersion version, long? disconnectedAt)
        => Write(new StoreOperation
        {
            Kind = StoreOperationKind.SessionSaved,
            ClientId = clientId,
            ExpiryInterval = expiryInterval,
            ProtocolVersion = version,
            DisconnectedAtUnixMs = disconnectedAt is long at ? ToUnixMs(at) : null,
        });

    /// <summary>A session ended with <paramref name="storedDeliveries"/> deliveries still stored: all of it goes.</summary>
    public void SessionRemoved(string clientId, int storedDeliveries = 0)
    {
        Interlocked.Add(ref _stored, -storedDeliveries);
        Write(new StoreOperation { Kind = StoreOperationKind.SessionRemoved, ClientId = clientId });
    }

    /// <summary>Counts deliveries restored at start-up.</summary>
    public void Restored(int deliveries) => Interlocked.Add(ref _stored, deliveries);

    /// <summary>At start-up: new delivery ids continue after <paramref name="id"/> (and after any seen before).</summary>
    public void SawDeliveryId(long id) => _lastDeliveryId = Math.Max(_lastDeliveryId, id);

    /// <summary>
    /// A delivery id unique across all sessions. Called under the session's lock, so a session's
    /// ids increase in the order of its deliveries even though sessions share the counter.
    /// </summary>
    public long NextDeliveryId() => Interlocked.Increment(ref _lastDeliveryId);

    public void SubscriptionSaved(string clientId, Subscription subscription)
        => Write(new StoreOperation
        {
            Kind = StoreOperationKind.SubscriptionSaved,
            ClientId = clientId,
            TopicFilter = subscription.TopicFilter,
            Subscription = new StoredSubscription(subscription.TopicFilter, subscription.MaximumQoS, subscription.NoLocal, subscription.RetainAsPublished, subscription.RetainHandling, subscription.Identifier),
        });

    public void SubscriptionRemoved(string clientId, string topicFilter)
        => Write(new StoreOperation { Kind = StoreOperationKind.SubscriptionRemoved, ClientId = clientId, TopicFilter = topicFilter });

    /// <summary>A delivery owed to a session; <paramref name="packetId"/> non-zero when it goes out at once. Takes a message reference for the store.</summary>
    public void DeliveryAdded(string clientId, long deliveryId, MqttMessage message, QualityOfService qos, bool retain, uint[]? subscriptionIdentifiers, ushort packetId)
    {
        Interlocked.Increment(ref _stored);
        message.AddReference();
        Write(new StoreOperation
        {
            Kind = StoreOperationKind.DeliveryAdded,
            ClientId = clientId,
            DeliveryId = deliveryId,
            Message = message,
            MessageExpiresAtUnixMs = message.HasExpiry ? ToUnixMs(message.ExpiresAt) : null,
            QoS = qos,
            Retain = retain,
            SubscriptionIdentifiers = subscriptionIdentifiers,
            PacketId = packetId,
        });
    }

    public void DeliverySent(string clientId, long deliveryId, ushort packetId)
        => Write(new StoreOperation { Kind = StoreOperationKind.DeliverySent, ClientId = clientId, DeliveryId = deliveryId, PacketId = packetId });

    public void DeliveryReleased(string clientId, long deliveryId)
        => Write(new StoreOperation { Kind = StoreOperationKind.DeliveryReleased, ClientId = clientId, DeliveryId = deliveryId });

    public void DeliveryRemoved(string clientId, long deliveryId)
    {
        Interlocked.Decrement(ref _stored);
        Write(new StoreOperation { Kind = StoreOperationKind.DeliveryRemoved, ClientId = clientId, DeliveryId = deliveryId });
    }

    public void InboundQos2Added(string clientId, ushort packetId)
        => Write(new StoreOperation { Kind = StoreOperationKind.InboundQos2Added, ClientId = clientId, PacketId = packetId });

    public void InboundQos2Removed(string clientId, ushort packetId)
        => Write(new StoreOperation { Kind = StoreOperationKind.InboundQos2Removed, ClientId = clientId, PacketId = packetId });

    public void WillSaved(string clientId, WillMessage will, long dueAt)
        => Write(new StoreOperation { Kind = StoreOperationKind.WillSaved, ClientId = clientId, Will = will, WillDueAtUnixMs = ToUnixMs(dueAt) });

    public void WillRemoved(string clientId)
        => Write(new StoreOperation { Kind = StoreOperationKind.WillRemoved, ClientId = clientId });

    /// <summary>A retained message was stored; takes a message reference for the store.</summary>
    public void RetainedSet(MqttMessage message)
    {
        message.AddReference();
        Write(new StoreOperation
        {
            Kind = StoreOperationKind.RetainedSet,
            ClientId = string.Empty,
            Message = message,
            MessageExpiresAtUnixMs = message.HasExpiry ? ToUnixMs(message.ExpiresAt) : null,
            QoS = message.QoS,
            Retain = true,
        });
    }

    public void RetainedRemoved(string topic)
        => Write(new StoreOperation { Kind = StoreOperationKind.RetainedRemoved, ClientId = string.Empty, TopicFilter = topic });

    /// <summary>Wall-clock Unix milliseconds of broker timestamp <paramref name="timestamp"/>.</summary>
    public long ToUnixMs(long timestamp)
    {
        // Negative for a timestamp in the past.
        var offset = _clock.TimeProvider.GetElapsedTime(_clock.Now, timestamp);
        return _clock.TimeProvider.GetUtcNow().Add(offset).ToUnixTimeMilliseconds();
    }

    /// <summary>Broker timestamp of wall-clock Unix milliseconds <paramref name="unixMs"/>.</summary>
    public long FromUnixMs(long unixMs)
    {
        var seconds = (unixMs - _clock.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()) / 1000.0;
        return _clock.Now + _clock.SecondsToTicks(seconds);
    }

    private void Write(in StoreOperation operation)
    {
        _store.Write(in operation);
        t_written = _store.Position;
    }
}
