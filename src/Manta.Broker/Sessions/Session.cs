using Manta.Broker.Connections;
using Manta.Broker.Diagnostics;
using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;

namespace Manta.Broker.Sessions;

/// <summary>
/// The state of one client id that may outlive its connection: subscriptions, outbound QoS 1/2
/// messages in flight, queued deliveries, inbound QoS 2 packet ids and a delayed will. One lock
/// (<see cref="Gate"/>) guards it; publishers take it only to hand a message over.
/// </summary>
public sealed class Session
{
    private readonly BrokerPolicy _policy;
    private readonly BrokerMetrics _metrics;
    private readonly BrokerClock _clock;
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<ushort, InflightEntry> _inflight = [];
    private readonly Queue<QueuedDelivery> _pending = new();
    private long _pendingBytes;
    private int _pendingQos0;
    private readonly HashSet<ushort> _inboundQos2 = [];

    // Packet ids of QoS 1/2 messages in flight that came through a shared subscription group;
    // created on the first such delivery, so sessions without shared subscriptions pay nothing.
    private Dictionary<ushort, SharedGroup>? _sharedInflight;
    private Outbox? _outbox;
    private int _sendWindow;
    private ushort _lastPacketId;
    private long _sequence;
    private int _storedDeliveries;
    private int _subscriptionCount;
    private bool _ended;

    internal Session(string clientId, BrokerPolicy policy, BrokerMetrics metrics, BrokerClock clock)
    {
        ClientId = clientId;
        _policy = policy;
        _metrics = metrics;
        _clock = clock;
    }

    /// <summary>The client identifier.</summary>
    public string ClientId { get; }

    /// <summary>Seconds the session outlives its connection; 0 ends it at disconnect, uint.MaxValue never expires.</summary>
    public uint ExpiryInterval { get; internal set; }

    /// <summary>Protocol version of the last connection.</summary>
    public MqttProtocolVersion ProtocolVersion { get; internal set; }

    /// <summary>True while a connection is attached.</summary>
    public bool IsConnected => Volatile.Read(ref _outbox) is not null;

    /// <summary>Number of subscriptions (read without the lock by the router).</summary>
    public int SubscriptionCount => Volatile.Read(ref _subscriptionCount);

    /// <summary>Deliveries queued beyond the inflight window.</summary>
    public int QueuedCount
    {
        get
        {
            lock (Gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Bytes of the deliveries queued beyond the inflight window.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (Gate)
            {
                return _pendingBytes;
            }
        }
    }

    /// <summary>Outbound QoS 1/2 messages awaiting acknowledgement.</summary>
    public int InflightCount
    {
        get
        {
            lock (Gate)
            {
                return _inflight.Count;
            }
        }
    }

    internal Lock Gate { get; } = new();

    /// <summary>The connection currently owning the session (set and cleared by the registry).</summary>
    internal object? Owner { get; set; }

    /// <summary>When the last connection went away (clock timestamp).</summary>
    internal long DisconnectedAt { get; set; }

    /// <summary>A will waiting for its delay.</summary>
    internal PendingWill? Will { get; set; }

    internal bool IsEnded => _ended;

    /// <summary>Where this session's durable state goes; null for a session that does not outlive its connection, or without a store.</summary>
    internal Persistence.StoreJournal? Journal { get; set; }

    /// <summary>
    /// Hands a message to this session: straight to the connection when the window allows, else
    /// queued, else dropped and counted. <paramref name="group"/> is the shared subscription group
    /// the message came through, if any (remembered for redistribution when the session ends).
    /// </summary>
    internal bool Deliver(MqttMessage message, QualityOfService qos, bool retain, uint[]? subscriptionIdentifiers, SharedGroup? group = null)
    {
        lock (Gate)
        {
            if (_ended)
            {
                return false;
            }

            if (qos != QualityOfService.AtMostOnce && Journal is { HasRoom: false })
            {
                _metrics.MessageDropped(DropReasons.StoreFull);
                return false;
            }

            var outbox = _outbox;
            if (outbox is null)
            {
                if (qos == QualityOfService.AtMostOnce && !_policy.QueueQos0WhileOffline)
                {
                    _metrics.MessageDropped(DropReasons.OfflineQos0);
                    return false;
                }

                return Enqueue(message, qos, retain, subscriptionIdentifiers, group);
            }

            bool handed;
            if (qos == QualityOfService.AtMostOnce)
            {
                message.AddReference();
                handed = outbox.TryEnqueue(OutboundItem.ForPublish(message, qos, retain, false, 0, subscriptionIdentifiers));
                if (!handed)
                {
                    message.Release();
                    _metrics.MessageDropped(DropReasons.SlowReader);
                }
            }
            else if (_pending.Count == 0 && _inflight.Count < _sendWindow)
            {
                message.AddReference();
                SendNew(outbox, message, qos, retain, subscriptionIdentifiers, group);
                handed = true;
            }
            else
            {
                handed = Enqueue(message, qos, retain, subscriptionIdentifiers, group);
            }

            // The publisher's read loop waits for this subscriber if it is too far behind.
            outbox.Flow.NoteIfClosed();
            return handed;
        }
    }

    /// <summary>PUBACK from the client.</summary>
    internal bool OnPubAck(ushort packetId)
    {
        lock (Gate)
        {
            if (!_inflight.TryGetValue(packetId, out var entry) || entry.State != InflightState.AwaitingPubAck)
            {
                return false;
            }

            _inflight.Remove(packetId);
            _sharedInflight?.Remove(packetId);
            entry.Message?.Release();
            Removed(in entry);
            Pump();
            return true;
        }
    }

    /// <summary>PUBREC from the client; returns whether the packet id was known (the caller answers PUBREL either way).</summary>
    internal bool OnPubRec(ushort packetId, bool failed)
    {
        lock (Gate)
        {
            if (!_inflight.TryGetValue(packetId, out var entry))
            {
                return false;
            }

            if (entry.State == InflightState.AwaitingPubAck)
            {
                return false;
            }

            // The client has the message now, or refused it (MQTT-4.8.2-6): no other member gets it.
            _sharedInflight?.Remove(packetId);
            entry.Message?.Release();
            entry.Message = null;
            if (failed)
            {
                // v5: a PUBREC reason code of 0x80 or above ends the flow.
                _inflight.Remove(packetId);
                Removed(in entry);
                Pump();
                return true;
            }

            if (entry.DeliveryId != 0)
            {
                Journal?.DeliveryReleased(ClientId, entry.DeliveryId);
            }

            entry.State = InflightState.AwaitingPubComp;
            _inflight[packetId] = entry;
            return true;
        }
    }

    /// <summary>PUBCOMP from the client.</summary>
    internal bool OnPubComp(ushort packetId)
    {
        lock (Gate)
        {
            if (!_inflight.TryGetValue(packetId, out var entry) || entry.State != InflightState.AwaitingPubComp)
            {
                return false;
            }

            _inflight.Remove(packetId);
            Removed(in entry);
            Pump();
            return true;
        }
    }

    /// <summary>
    /// Drops an inflight message the connection could not send (larger than the client's Maximum
    /// Packet Size): it is treated as delivered (MQTT-3.1.2-25) and its window slot freed.
    /// </summary>
    internal void ForgetInflight(ushort packetId)
    {
        lock (Gate)
        {
            if (_inflight.Remove(packetId, out var entry))
            {
                _sharedInflight?.Remove(packetId);
                entry.Message?.Release();
                Removed(in entry);
                Pump();
            }
        }
    }

    /// <summary>
    /// Records an inbound QoS 2 packet id. Duplicate: already known (a resend, do not route
    /// again); LimitExceeded: the client has more unreleased QoS 2 messages than <paramref name="limit"/>.
    /// </summary>
    internal InboundQos2Outcome BeginInboundQos2(ushort packetId, int limit)
    {
        lock (Gate)
        {
            if (_inboundQos2.Contains(packetId))
            {
                return InboundQos2Outcome.Duplicate;
            }

            if (_inboundQos2.Count >= limit)
            {
                return InboundQos2Outcome.LimitExceeded;
            }

            _inboundQos2.Add(packetId);
            Journal?.InboundQos2Added(ClientId, packetId);
            return InboundQos2Outcome.New;
        }
    }

    /// <summary>PUBREL from the client: forgets the packet id; false when it was not known.</summary>
    internal bool CompleteInboundQos2(ushort packetId)
    {
        lock (Gate)
        {
            if (!_inboundQos2.Remove(packetId))
            {
                return false;
            }

            Journal?.InboundQos2Removed(ClientId, packetId);
            return true;
        }
    }

    /// <summary>Inbound QoS 2 ids awaiting PUBREL.</summary>
    internal int InboundQos2Count
    {
        get
        {
            lock (Gate)
            {
                return _inboundQos2.Count;
            }
        }
    }

    /// <summary>Adds or replaces a subscription; returns the one it replaced.</summary>
    internal Subscription? PutSubscription(Subscription subscription)
    {
        lock (Gate)
        {
            _subscriptions.TryGetValue(subscription.TopicFilter, out var old);
            _subscriptions[subscription.TopicFilter] = subscription;
            Volatile.Write(ref _subscriptionCount, _subscriptions.Count);
            Journal?.SubscriptionSaved(ClientId, subscription);
            return old;
        }
    }

    /// <summary>True when the session subscribes to exactly <paramref name="topicFilter"/>.</summary>
    internal bool HasSubscription(string topicFilter)
    {
        lock (Gate)
        {
            return _subscriptions.ContainsKey(topicFilter);
        }
    }

    /// <summary>Removes a subscription by filter.</summary>
    internal Subscription? RemoveSubscription(string topicFilter)
    {
        lock (Gate)
        {
            if (!_subscriptions.Remove(topicFilter, out var old))
            {
                return null;
            }

            Volatile.Write(ref _subscriptionCount, _subscriptions.Count);
            Journal?.SubscriptionRemoved(ClientId, topicFilter);
            return old;
        }
    }

    /// <summary>A snapshot of the subscriptions.</summary>
    internal Subscription[] GetSubscriptions()
    {
        lock (Gate)
        {
            return [.. _subscriptions.Values];
        }
    }

    /// <summary>
    /// Attaches a connection: resends unacknowledged messages with DUP and pending PUBRELs in
    /// their original order (MQTT-4.4.0-1), then fills the window from the queue.
    /// </summary>
    internal void Attach(Outbox outbox, int sendWindow)
    {
        lock (Gate)
        {
            _outbox = outbox;
            _sendWindow = Math.Max(1, sendWindow);
            outbox.Flow.Add(_pending.Count, _pendingBytes);
            if (_inflight.Count > 0)
            {
                var resend = _inflight.OrderBy(static e => e.Value.Sequence).ToArray();
                foreach (var (packetId, entry) in resend)
                {
                    if (entry.State == InflightState.AwaitingPubComp)
                    {
                        outbox.TryEnqueue(OutboundItem.ForAck(OutboundKind.PubRel, packetId));
                    }
                    else if (entry.Message is { } message)
                    {
                        message.AddReference();
                        if (!outbox.TryEnqueue(OutboundItem.ForPublish(message, entry.QoS, entry.Retain, true, packetId, entry.SubscriptionIdentifiers)))
                        {
                            message.Release();
                        }
                    }
                }
            }

            Pump();
        }
    }

    /// <summary>Rebuilds stored deliveries and inbound QoS 2 ids at start-up (no connection, no journal yet).</summary>
    internal void Restore(Persistence.StoredSession stored, Func<Persistence.StoredMessage, MqttMessage> toMessage)
    {
        lock (Gate)
        {
            foreach (var delivery in stored.Deliveries)
            {
                if (delivery.PacketId == 0)
                {
                    var message = toMessage(delivery.Message!);
                    _pending.Enqueue(new QueuedDelivery(new PendingDelivery(message, delivery.QoS, delivery.Retain, delivery.SubscriptionIdentifiers), null, delivery.Id));
                    _pendingBytes += message.Size;
                    continue;
                }

                var released = delivery.Released || delivery.Message is null;
                _inflight[delivery.PacketId] = new InflightEntry
                {
                    Message = released ? null : toMessage(delivery.Message!),
                    QoS = delivery.QoS,
                    Retain = delivery.Retain,
                    State = released ? InflightState.AwaitingPubComp : delivery.QoS == QualityOfService.AtLeastOnce ? InflightState.AwaitingPubAck : InflightState.AwaitingPubRec,
                    SubscriptionIdentifiers = delivery.SubscriptionIdentifiers,
                    Sequence = ++_sequence,
                    DeliveryId = delivery.Id,
                };
                _lastPacketId = delivery.PacketId;
            }

            foreach (var packetId in stored.InboundQos2)
            {
                _inboundQos2.Add(packetId);
            }

            _storedDeliveries = stored.Deliveries.Count;
        }
    }

    /// <summary>Detaches <paramref name="outbox"/> if it is still the attached one.</summary>
    internal void Detach(Outbox outbox)
    {
        lock (Gate)
        {
            if (ReferenceEquals(_outbox, outbox))
            {
                _outbox = null;
            }
        }
    }

    /// <summary>
    /// Ends the session: gives back every message reference and returns the subscriptions to
    /// remove from the index. <paramref name="shared"/> receives, in their original order, the
    /// deliveries of shared subscription groups that another member should get, each still owning
    /// its message reference: QoS 1 messages in flight and every queued message, never sent
    /// (MQTT 5 section 4.8.2 says the server should). A QoS 2 message in flight stays lost with
    /// the session: MQTT-4.8.2-5 forbids sending it to another member.
    /// </summary>
    internal Subscription[] End(out List<QueuedDelivery>? shared)
    {
        shared = null;
        lock (Gate)
        {
            _ended = true;
            _outbox = null;
            Journal?.SessionRemoved(ClientId, _storedDeliveries);
            Journal = null;
            _storedDeliveries = 0;
            if (_sharedInflight is { Count: > 0 } sharedInflight)
            {
                foreach (var (packetId, entry) in _inflight.OrderBy(static e => e.Value.Sequence))
                {
                    if (entry.Message is not { } message)
                    {
                        continue;
                    }

                    if (entry.QoS == QualityOfService.AtLeastOnce && sharedInflight.TryGetValue(packetId, out var group))
                    {
                        (shared ??= []).Add(new QueuedDelivery(new PendingDelivery(message, entry.QoS, entry.Retain, entry.SubscriptionIdentifiers), group));
                    }
                    else
                    {
                        message.Release();
                    }
                }

                sharedInflight.Clear();
            }
            else
            {
                foreach (var entry in _inflight.Values)
                {
                    entry.Message?.Release();
                }
            }

            _inflight.Clear();
            while (_pending.TryDequeue(out var pending))
            {
                if (pending.Group is not null)
                {
                    (shared ??= []).Add(pending);
                }
                else
                {
                    pending.Delivery.Message.Release();
                }
            }

            _pendingBytes = 0;
            _pendingQos0 = 0;
            _inboundQos2.Clear();
            var subscriptions = _subscriptions.Values.ToArray();
            _subscriptions.Clear();
            Volatile.Write(ref _subscriptionCount, 0);
            return subscriptions;
        }
    }

    private bool Enqueue(MqttMessage message, QualityOfService qos, bool retain, uint[]? subscriptionIdentifiers, SharedGroup? group)
    {
        if (!MakeRoom(message.Size))
        {
            _metrics.MessageDropped(DropReasons.QueueFull);
            return false;
        }

        message.AddReference();
        long id = 0;
        if (Journal is { } journal && qos != QualityOfService.AtMostOnce)
        {
            id = journal.NextDeliveryId();
            StoreAdded(journal, id, message, qos, retain, subscriptionIdentifiers, 0);
        }

        _pending.Enqueue(new QueuedDelivery(new PendingDelivery(message, qos, retain, subscriptionIdentifiers), group, id));
        _pendingBytes += message.Size;
        _outbox?.Flow.Add(1, message.Size);
        if (qos == QualityOfService.AtMostOnce)
        {
            _pendingQos0++;
        }

        return true;
    }

    private bool HasRoom(int size)
        => _pending.Count < _policy.MaximumQueuedMessages
           && (_policy.MaximumQueuedBytes == 0 || _pendingBytes + size <= _policy.MaximumQueuedBytes);

    /// <summary>Applies the overflow policy until a message of <paramref name="size"/> fits; false when it does not. Caller holds the gate.</summary>
    private bool MakeRoom(int size)
    {
        if (HasRoom(size))
        {
            return true;
        }

        switch (_policy.QueueOverflow)
        {
            case QueueOverflowPolicy.DropOldest:
                while (_pending.Count > 0 && !HasRoom(size))
                {
                    Forget(_pending.Dequeue());
                }

                return HasRoom(size);

            case QueueOverflowPolicy.DropQos0ThenDisconnect:
                DropQueuedQos0Until(size);
                if (HasRoom(size))
                {
                    return true;
                }

                if (Owner is Channel.MqttChannel channel)
                {
                    // Nothing cheaper to drop: a client this far behind is disconnected as a slow
                    // consumer; a persistent session keeps its queue for when it comes back.
                    channel.DisconnectWith(ReasonCode.QuotaExceeded, "slow consumer: the session's queue is full");
                }

                return false;

            default:
                return false;
        }
    }

    /// <summary>Drops queued QoS 0 deliveries, oldest first, keeping the order of the rest. Caller holds the gate.</summary>
    private void DropQueuedQos0Until(int size)
    {
        if (_pendingQos0 == 0)
        {
            return;
        }

        // One full rotation: every entry is either dropped or put back behind the others, so the
        // kept ones end up in their original order.
        var count = _pending.Count;
        for (var i = 0; i < count; i++)
        {
            // Decided before taking the entry out, which by itself would make the queue look roomier.
            var full = !HasRoom(size);
            var entry = _pending.Dequeue();
            if (full && entry.Delivery.QoS == QualityOfService.AtMostOnce)
            {
                Forget(entry);
            }
            else
            {
                _pending.Enqueue(entry);
            }
        }
    }

    private void Forget(QueuedDelivery entry)
    {
        if (entry.Id != 0)
        {
            StoreRemoved(entry.Id);
        }

        _pendingBytes -= entry.Delivery.Message.Size;
        _outbox?.Flow.Add(-1, -entry.Delivery.Message.Size);
        if (entry.Delivery.QoS == QualityOfService.AtMostOnce)
        {
            _pendingQos0--;
        }

        entry.Delivery.Message.Release();
        _metrics.MessageDropped(DropReasons.Overflow);
    }

    /// <summary>Moves queued deliveries to the connection while the window allows. Caller holds the gate.</summary>
    private void Pump()
    {
        var outbox = _outbox;
        if (outbox is null)
        {
            return;
        }

        while (_pending.Count > 0)
        {
            var (next, group, id) = _pending.Peek();
            if (next.QoS != QualityOfService.AtMostOnce && _inflight.Count >= _sendWindow)
            {
                return;
            }

            _pending.Dequeue();
            _pendingBytes -= next.Message.Size;
            outbox.Flow.Add(-1, -next.Message.Size);
            if (next.QoS == QualityOfService.AtMostOnce)
            {
                _pendingQos0--;
            }

            if (next.Message.HasExpiry && next.Message.ExpiresAt <= _clock.Now)
            {
                next.Message.Release();
                _metrics.MessageDropped(DropReasons.Expired);
                if (id != 0)
                {
                    StoreRemoved(id);
                }

                continue;
            }

            if (next.QoS == QualityOfService.AtMostOnce)
            {
                if (!outbox.TryEnqueue(OutboundItem.ForPublish(next.Message, next.QoS, next.Retain, false, 0, next.SubscriptionIdentifiers)))
                {
                    next.Message.Release();
                    _metrics.MessageDropped(DropReasons.SlowReader);
                }

                continue;
            }

            SendNew(outbox, next.Message, next.QoS, next.Retain, next.SubscriptionIdentifiers, group, id);
        }
    }

    /// <summary>Assigns a packet id and puts the message in flight; consumes one reference the caller took. Caller holds the gate.</summary>
    private void SendNew(Outbox outbox, MqttMessage message, QualityOfService qos, bool retain, uint[]? subscriptionIdentifiers, SharedGroup? group, long deliveryId = 0)
    {
        var packetId = NextPacketId();
        if (Journal is { } journal)
        {
            if (deliveryId == 0)
            {
                deliveryId = journal.NextDeliveryId();
                StoreAdded(journal, deliveryId, message, qos, retain, subscriptionIdentifiers, packetId);
            }
            else
            {
                journal.DeliverySent(ClientId, deliveryId, packetId);
            }
        }

        if (group is not null)
        {
            (_sharedInflight ??= [])[packetId] = group;
        }

        _inflight[packetId] = new InflightEntry
        {
            Message = message,
            QoS = qos,
            Retain = retain,
            State = qos == QualityOfService.AtLeastOnce ? InflightState.AwaitingPubAck : InflightState.AwaitingPubRec,
            SubscriptionIdentifiers = subscriptionIdentifiers,
            Sequence = ++_sequence,
            DeliveryId = deliveryId,
        };

        message.AddReference();
        var item = OutboundItem.ForPublish(message, qos, retain, false, packetId, subscriptionIdentifiers);
        if (qos == QualityOfService.ExactlyOnce && Journal is { Store.AcknowledgesAfterCommit: true } stored)
        {
            // Sent only once its record is durable: after a crash it is resent with this packet
            // id (and DUP), which the client recognises, instead of reaching it twice.
            item.NotBefore = stored.Store.Position;
        }

        if (!outbox.TryEnqueue(item))
        {
            // The connection is going away; the inflight entry is resent when the client returns.
            message.Release();
        }
    }

    /// <summary>A QoS 1/2 delivery owed to this stored session. Caller holds the gate.</summary>
    private void StoreAdded(Persistence.StoreJournal journal, long deliveryId, MqttMessage message, QualityOfService qos, bool retain, uint[]? subscriptionIdentifiers, ushort packetId)
    {
        _storedDeliveries++;
        journal.DeliveryAdded(ClientId, deliveryId, message, qos, retain, subscriptionIdentifiers, packetId);
    }

    /// <summary>A stored delivery is done or dropped. Caller holds the gate.</summary>
    private void StoreRemoved(long deliveryId)
    {
        if (Journal is { } journal)
        {
            _storedDeliveries--;
            journal.DeliveryRemoved(ClientId, deliveryId);
        }
    }

    /// <summary>An inflight delivery is done or dropped: the store forgets it. Caller holds the gate.</summary>
    private void Removed(in InflightEntry entry)
    {
        if (entry.DeliveryId != 0)
        {
            StoreRemoved(entry.DeliveryId);
        }
    }

    private ushort NextPacketId()
    {
        // The window is far below 65535, so a free id is always found quickly.
        do
        {
            _lastPacketId = (ushort)(_lastPacketId == ushort.MaxValue ? 1 : _lastPacketId + 1);
        }
        while (_inflight.ContainsKey(_lastPacketId));

        return _lastPacketId;
    }
}
