using Manta.Broker.Channel;
using Manta.Broker.Diagnostics;
using Manta.Broker.Policy;
using Manta.Broker.Routing;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol.Packets;
using Microsoft.Extensions.Logging;

namespace Manta.Broker.Sessions;

/// <summary>
/// Client id to session: creation, takeover (a new connection with a live client id wins),
/// detachment, expiry and delayed wills. Connect and disconnect serialise on one lock, which
/// keeps takeover simple and exact; the publish path never takes it.
/// </summary>
public sealed class SessionRegistry
{
    private readonly Lock _gate = new();
    private int _connected;
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly BrokerPolicy _policy;
    private readonly BrokerMetrics _metrics;
    private readonly BrokerClock _clock;
    private readonly SubscriptionIndex _index;
    private readonly Action<Session, WillMessage> _publishWill;
    private readonly ILogger _logger;

    /// <summary>Where persistent sessions are stored; null when the broker keeps state in memory only.</summary>
    internal Persistence.StoreJournal? Journal { get; set; }

    internal SessionRegistry(BrokerPolicy policy, BrokerMetrics metrics, BrokerClock clock, SubscriptionIndex index, Action<Session, WillMessage> publishWill, ILogger logger)
    {
        _policy = policy;
        _metrics = metrics;
        _clock = clock;
        _index = index;
        _publishWill = publishWill;
        _logger = logger;
    }

    /// <summary>Number of sessions, connected or not.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Sessions with a connection attached: kept as a count, since every CONNECT checks it against the connection limit.</summary>
    public int ConnectedCount => Volatile.Read(ref _connected);

    /// <summary>
    /// Sessions, connected sessions, outbound inflight and queued messages in one pass under the
    /// lock (lock order registry -> session). O(sessions): for metrics when scraped, not per message.
    /// </summary>
    public SessionTotals Totals()
    {
        lock (_gate)
        {
            long connected = 0, inflight = 0, queued = 0;
            foreach (var session in _sessions.Values)
            {
                connected += session.Owner is null ? 0 : 1;
                inflight += session.InflightCount;
                queued += session.QueuedCount;
            }

            return new SessionTotals(_sessions.Count, connected, inflight, queued);
        }
    }

    /// <summary>The session of <paramref name="clientId"/>, if any.</summary>
    public Session? Find(string clientId)
    {
        lock (_gate)
        {
            return _sessions.GetValueOrDefault(clientId);
        }
    }

    /// <summary>
    /// Binds <paramref name="channel"/> to the session of <paramref name="clientId"/>: closes a live
    /// connection with that id (MQTT-3.1.4-3), discards the old session on clean start
    /// (MQTT-3.1.2-4), cancels a delayed will (MQTT-3.1.3-9).
    /// </summary>
    internal ConnectOutcome Connect(MqttChannel channel, string clientId, bool cleanStart, uint expiryInterval)
    {
        lock (_gate)
        {
            _sessions.TryGetValue(clientId, out var session);
            if (session?.Owner is MqttChannel live)
            {
                if (_policy.ClientIdConflict == ClientIdConflictPolicy.RejectNew)
                {
                    return new ConnectOutcome(null, false);
                }

                BrokerLog.SessionTakenOver(_logger, clientId, channel.Connection.RemoteEndPoint);
                live.OnTakenOver();
                DetachLocked(live, session);
                if (session.IsEnded)
                {
                    session = null;
                }
            }

            if (session is not null && cleanStart)
            {
                EndLocked(session);
                session = null;
            }

            var present = session is not null;
            if (session is null)
            {
                session = new Session(clientId, _policy, _metrics, _clock);
                _sessions[clientId] = session;
            }

            // A resumed session cancels its delayed will.
            if (session.Will is not null)
            {
                session.Will = null;
                session.Journal?.WillRemoved(clientId);
            }

            session.ExpiryInterval = expiryInterval;
            session.ProtocolVersion = channel.Version;
            session.Owner = channel;
            if (Journal is { } journal && (expiryInterval > 0 || session.Journal is not null))
            {
                // Stored from its CONNECT on: a session that outlives its connection must survive a restart.
                session.Journal = journal;
                journal.SessionSaved(clientId, expiryInterval, channel.Version, disconnectedAt: null);
            }

            _connected++;
            return new ConnectOutcome(session, present);
        }
    }

    /// <summary>The connection of <paramref name="channel"/> is gone: detach, publish or schedule its will, end the session if it does not outlive the connection.</summary>
    internal void Disconnect(MqttChannel channel, Session session)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(session.Owner, channel))
            {
                // Already detached by a takeover.
                return;
            }

            DetachLocked(channel, session);
        }
    }

    /// <summary>Sets a new session expiry (v5 DISCONNECT may change it).</summary>
    internal void SetExpiry(Session session, uint expiryInterval)
    {
        lock (_gate)
        {
            session.ExpiryInterval = expiryInterval;
            if (expiryInterval > 0)
            {
                session.Journal?.SessionSaved(session.ClientId, expiryInterval, session.ProtocolVersion, disconnectedAt: null);
            }
        }
    }

    /// <summary>Publishes delayed wills that are due and ends sessions whose expiry has passed.</summary>
    internal void Tick()
    {
        var now = _clock.Now;
        lock (_gate)
        {
            List<Session>? expired = null;
            foreach (var session in _sessions.Values)
            {
                if (session.Owner is not null)
                {
                    continue;
                }

                if (session.Will is { } will && will.DueAt <= now)
                {
                    session.Will = null;
                    session.Journal?.WillRemoved(session.ClientId);
                    _publishWill(session, will.Will);
                }

                if (session.ExpiryInterval != uint.MaxValue
                    && now - session.DisconnectedAt >= _clock.SecondsToTicks(session.ExpiryInterval))
                {
                    (expired ??= []).Add(session);
                }
            }

            if (expired is not null)
            {
                foreach (var session in expired)
                {
                    BrokerLog.SessionExpired(_logger, session.ClientId);
                    EndLocked(session);
                }
            }
        }
    }

    /// <summary>
    /// Rebuilds the stored sessions at start-up, before any connection: their subscriptions go
    /// into the index, their deliveries into their queues and inflight windows, delayed wills wait
    /// again. Sessions whose expiry passed while the broker was down are removed from the store.
    /// </summary>
    internal void Restore(IReadOnlyList<Persistence.StoredSession> stored, Persistence.StoreJournal journal, Func<Persistence.StoredMessage, Messages.MqttMessage> toMessage)
    {
        var nowMs = _clock.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_gate)
        {
            foreach (var saved in stored)
            {
                var disconnectedAtMs = saved.DisconnectedAtUnixMs ?? nowMs;
                if (saved.ExpiryInterval != uint.MaxValue && disconnectedAtMs + (saved.ExpiryInterval * 1000L) <= nowMs)
                {
                    BrokerLog.SessionExpired(_logger, saved.ClientId);
                    journal.SessionRemoved(saved.ClientId);
                    continue;
                }

                var session = new Session(saved.ClientId, _policy, _metrics, _clock)
                {
                    ExpiryInterval = saved.ExpiryInterval,
                    ProtocolVersion = saved.ProtocolVersion,
                    DisconnectedAt = journal.FromUnixMs(disconnectedAtMs),
                };
                session.Restore(saved, toMessage);
                journal.Restored(saved.Deliveries.Count);
                foreach (var s in saved.Subscriptions)
                {
                    var subscription = new Subscription(session, s.TopicFilter, s.MaximumQoS, s.NoLocal, s.RetainAsPublished, s.RetainHandling, s.Identifier);
                    session.PutSubscription(subscription);
                    _index.Add(subscription);
                }

                if (saved.Will is { } will)
                {
                    session.Will = new PendingWill(will.Will, journal.FromUnixMs(will.DueAtUnixMs));
                }

                session.Journal = journal;
                if (saved.DisconnectedAtUnixMs is null)
                {
                    // It was connected when the broker stopped: its expiry counts from now.
                    journal.SessionSaved(saved.ClientId, saved.ExpiryInterval, saved.ProtocolVersion, session.DisconnectedAt);
                }

                _sessions[saved.ClientId] = session;
            }
        }
    }

    private void DetachLocked(MqttChannel channel, Session session)
    {
        session.Owner = null;
        _connected--;
        session.Detach(channel.Outbox);
        session.DisconnectedAt = _clock.Now;
        if (session.ExpiryInterval > 0)
        {
            session.Journal?.SessionSaved(session.ClientId, session.ExpiryInterval, session.ProtocolVersion, session.DisconnectedAt);
        }

        if (channel.TakeWill(out var will, out var delaySeconds))
        {
            var delay = Math.Min(delaySeconds, session.ExpiryInterval);
            if (delay == 0)
            {
                _publishWill(session, will);
            }
            else
            {
                session.Will = new PendingWill(will, _clock.Now + _clock.SecondsToTicks(delay));
                session.Journal?.WillSaved(session.ClientId, will, session.Will.DueAt);
            }
        }

        if (session.ExpiryInterval == 0)
        {
            EndLocked(session);
        }
    }

    private void EndLocked(Session session)
    {
        if (_sessions.TryGetValue(session.ClientId, out var current) && ReferenceEquals(current, session))
        {
            _sessions.Remove(session.ClientId);
        }

        // The will is published when the session ends, whatever its remaining delay (MQTT-3.1.3-9's counterpart).
        if (session.Will is { } will)
        {
            session.Will = null;
            _publishWill(session, will.Will);
        }

        var subscriptions = session.End(out var shared);
        foreach (var subscription in subscriptions)
        {
            _index.Remove(subscription);
        }

        if (shared is not null)
        {
            Redistribute(shared);
        }
    }

    /// <summary>
    /// Hands the shared-subscription deliveries an ended session left unfinished to other members
    /// of their groups (MQTT 5 section 4.8.2; EMQX does the same), a connected one when there is
    /// one. The ended session has already left the index, so it is never picked again. Consumes
    /// each delivery's message reference.
    /// </summary>
    private void Redistribute(List<QueuedDelivery> shared)
    {
        var now = _clock.Now;
        foreach (var (delivery, group, _) in shared)
        {
            var message = delivery.Message;
            if (message.HasExpiry && message.ExpiresAt <= now)
            {
                _metrics.MessageDropped(DropReasons.Expired);
            }
            else if (group is not null && _index.FindGroup(group.ShareName, group.Filter) is { } current)
            {
                // A group left without members loses the message, as any message nobody subscribes to.
                SharedDispatch.Deliver(_policy, current, message, message.Topic);
            }

            message.Release();
        }
    }
}
