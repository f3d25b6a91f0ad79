using System.IO.Pipelines;
using Manta.Broker.Connections;
using Manta.Broker.Diagnostics;
using Manta.Broker.Extensibility;
using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Retained;
using Manta.Broker.Routing;
using Manta.Broker.Sessions;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Manta.Broker;

/// <summary>
/// The MQTT broker, transport-agnostic: hand it any <see cref="IDuplexPipe"/> with
/// <see cref="RunConnectionAsync"/>. Owns the shared structures (sessions, subscription index,
/// retained store, router), the extension points and the one heartbeat.
/// </summary>
public sealed class MqttBroker : IAsyncDisposable
{
    private readonly bool _ownsMetrics;
    private BrokerHeartbeat? _heartbeat;
    private readonly Sys.SysTopicPublisher _sys;
    private bool _stopping;

    /// <summary>Creates a broker; call <see cref="Start"/> to run its heartbeat.</summary>
    public MqttBroker(
        BrokerOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        BrokerMetrics? metrics = null,
        IAuthenticator? authenticator = null,
        IAuthorizer? authorizer = null,
        IEnumerable<IMessageSink>? sinks = null,
        IRetainedStore? retainedStore = null,
        IEnumerable<IEnhancedAuthenticator>? enhancedAuthenticators = null,
        Persistence.ISessionStore? sessionStore = null)
    {
        Options = options;
        Policy = options.Policy;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Manta.Broker");
        Clock = new BrokerClock(timeProvider ?? TimeProvider.System);
        _ownsMetrics = metrics is null;
        Metrics = metrics ?? new BrokerMetrics(null);
        Authenticator = authenticator;
        Authorizer = authorizer;
        Sinks = sinks?.ToArray() ?? [];
        EnhancedAuthenticators = IndexByMethod(enhancedAuthenticators);
        Messages = new MessageFactory(new MessagePool(), Clock);
        Index = new SubscriptionIndex();
        Retained = retainedStore ?? new InMemoryRetainedStore(Clock);
        Sessions = new SessionRegistry(Policy, Metrics, Clock, Index, PublishWill, Logger);
        if (sessionStore is not null)
        {
            Journal = new Persistence.StoreJournal(sessionStore, Clock, Policy.MaximumStoredMessages);
            Retained = Restore(sessionStore.Load(), Journal);
        }

        Router = new Router(Index, Retained, Policy, Messages);
        Connections = new ConnectionRegistry();
        _sys = new Sys.SysTopicPublisher(this);
        Bans = new Limits.BanList(Clock);
        foreach (var ban in options.Limits.Bans)
        {
            Bans.Add(ban.Kind, ban.Value, ban.Duration);
        }

        ConnectionRates = new Limits.ConnectionRateLimiter(options.Limits, Clock, Bans);
    }

    /// <summary>Settings.</summary>
    public BrokerOptions Options { get; }

    /// <summary>Where durable state goes; null when the broker keeps everything in memory.</summary>
    internal Persistence.StoreJournal? Journal { get; }

    /// <summary>Behaviour knobs.</summary>
    public BrokerPolicy Policy { get; }

    /// <summary>Sessions by client id.</summary>
    public SessionRegistry Sessions { get; }

    /// <summary>All subscriptions.</summary>
    public SubscriptionIndex Index { get; }

    /// <summary>Retained messages.</summary>
    public IRetainedStore Retained { get; }

    /// <summary>Open connections.</summary>
    public ConnectionRegistry Connections { get; }

    /// <summary>The publish path.</summary>
    public Router Router { get; }

    /// <summary>Builds messages.</summary>
    public MessageFactory Messages { get; }

    /// <summary>The broker's clock.</summary>
    public BrokerClock Clock { get; }

    /// <summary>Client ids, user names and addresses refused at CONNECT.</summary>
    public Limits.BanList Bans { get; }

    internal Limits.ConnectionRateLimiter ConnectionRates { get; }

    internal ILogger Logger { get; }

    internal BrokerMetrics Metrics { get; }

    internal IAuthenticator? Authenticator { get; }

    internal IAuthorizer? Authorizer { get; }

    internal IMessageSink[] Sinks { get; }

    /// <summary>MQTT 5 enhanced authentication methods by name (section 4.12); empty when none is registered.</summary>
    internal IReadOnlyDictionary<string, IEnhancedAuthenticator> EnhancedAuthenticators { get; }

    /// <summary>The authenticator for an Authentication Method, or null (CONNACK 0x8C).</summary>
    internal IEnhancedAuthenticator? FindEnhancedAuthenticator(string method)
        => EnhancedAuthenticators.TryGetValue(method, out var authenticator) ? authenticator : null;

    /// <summary>
    /// Rebuilds the stored state at start-up: retained messages (unexpired) and persistent
    /// sessions. Returns the retained store that writes through to the session store.
    /// </summary>
    private Persistence.DurableRetainedStore Restore(Persistence.StoredState state, Persistence.StoreJournal journal)
    {
        var retained = new Persistence.DurableRetainedStore(Retained, journal);
        journal.SawDeliveryId(state.LastDeliveryId);
        foreach (var session in state.Sessions)
        {
            // Also those of sessions about to be dropped as expired: their rows go only when that commits.
            foreach (var delivery in session.Deliveries)
            {
                journal.SawDeliveryId(delivery.Id);
            }
        }

        var nowMs = Clock.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var stored in state.Retained)
        {
            if (stored.ExpiresAtUnixMs is long expires && expires <= nowMs)
            {
                journal.RetainedRemoved(stored.Topic);
                continue;
            }

            var message = ToMessage(stored);
            retained.Restore(message);
            message.Release();
        }

        Sessions.Journal = journal;
        Sessions.Restore(state.Sessions, journal, ToMessage);
        return retained;

        MqttMessage ToMessage(Persistence.StoredMessage m)
            => Messages.FromStored(m.Topic, m.Payload, m.Properties, m.QoS, m.Retain, m.ExpiresAtUnixMs is long e ? journal.FromUnixMs(e) : null);
    }

    /// <summary>Starts the shared tick.</summary>
    public void Start() => _heartbeat ??= new BrokerHeartbeat(Options.HeartbeatInterval, Clock.TimeProvider, Tick);

    /// <summary>
    /// Serves one connection until it ends. <paramref name="abort"/> tears the transport down when
    /// a closing connection cannot flush in time (e.g. Kestrel's ConnectionContext.Abort).
    /// <paramref name="stop"/> stops reading at once, dropping whatever is still unread; a
    /// transport that merely reports the peer's close must not be passed here (the pipe completes
    /// by itself after delivering everything the peer sent).
    /// </summary>
    public Task RunConnectionAsync(IDuplexPipe transport, ConnectionInfo info, Action? abort, CancellationToken stop)
        => new MqttConnection(this, transport, info, abort).RunAsync(stop);

    /// <summary>Publishes a message as the broker itself (no publisher session); returns the number of sessions it reached.</summary>
    public int Publish(PublishPacket packet)
    {
        var message = Messages.FromPacket(packet);
        try
        {
            return Router.Publish(message);
        }
        finally
        {
            message.Release();
        }
    }

    /// <summary>One heartbeat: connection timeouts, delayed wills, session expiry. Public so tests can drive it with a fake clock.</summary>
    public void Tick()
    {
        var now = Clock.Now;
        foreach (var connection in Connections.Snapshot())
        {
            try
            {
                connection.OnTick(now);
            }
            catch (Exception exception)
            {
                // One connection's fault must not stop keep-alive for the others.
                BrokerLog.TickFailed(Logger, exception);
            }
        }

        try
        {
            Sessions.Tick();
            _sys.OnTick(now);
            Bans.Prune();
            ConnectionRates.Prune();
        }
        catch (Exception exception)
        {
            BrokerLog.TickFailed(Logger, exception);
        }
    }

    /// <summary>True once shutdown has begun: new CONNECTs are refused with 0x88 (3.x: 3).</summary>
    public bool IsStopping => Volatile.Read(ref _stopping);

    /// <summary>
    /// Starts shutting down without waiting: refuses new CONNECTs and tells every connection to
    /// close (v5 clients get DISCONNECT 0x8B first). Safe to call more than once.
    /// </summary>
    public void BeginStop()
    {
        Volatile.Write(ref _stopping, true);
        foreach (var connection in Connections.Snapshot())
        {
            connection.Channel.DisconnectWith(ReasonCode.ServerShuttingDown, "server shutting down");
        }
    }

    /// <summary>Closes every connection (v5 clients get DISCONNECT 0x8B), waits up to <paramref name="timeout"/> for them, and stops the heartbeat.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_heartbeat is { } heartbeat)
        {
            _heartbeat = null;
            await heartbeat.DisposeAsync().ConfigureAwait(false);
        }

        BeginStop();

        // Wall-clock wait: shutdown must end even when the broker runs on a test clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Connections.Count > 0 && waited.Elapsed < timeout)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (_ownsMetrics)
        {
            Metrics.Dispose();
        }
    }

    private static Dictionary<string, IEnhancedAuthenticator> IndexByMethod(IEnumerable<IEnhancedAuthenticator>? authenticators)
    {
        var byMethod = new Dictionary<string, IEnhancedAuthenticator>(StringComparer.Ordinal);
        foreach (var authenticator in authenticators ?? [])
        {
            if (!byMethod.TryAdd(authenticator.Method, authenticator))
            {
                throw new ArgumentException($"Two enhanced authenticators for the method '{authenticator.Method}'.", nameof(authenticators));
            }
        }

        return byMethod;
    }

    private void PublishWill(Session session, WillMessage will)
    {
        var packet = new PublishPacket
        {
            Topic = will.Topic,
            Payload = will.Payload,
            QoS = will.QoS,
            Retain = will.Retain,
            Properties = will.Properties is null ? null : WillProperties.ForPublish(will.Properties),
        };

        var message = Messages.FromPacket(packet);
        try
        {
            message.Origin = session;
            Router.Publish(message);

            BrokerLog.WillPublished(Logger, session.ClientId, will.Topic);
        }
        finally
        {
            message.Release();
        }
    }
}
