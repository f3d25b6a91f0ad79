using Manta.Protocol;

namespace Manta.Broker.Policy;

/// <summary>
/// Every behaviour knob a cloud dialect changes. The defaults are the MQTT standard; a dialect is
/// a different instance of this class.
/// </summary>
public sealed class BrokerPolicy
{
    /// <summary>Highest QoS accepted on PUBLISH and granted on SUBSCRIBE. Default 2.</summary>
    public QualityOfService MaximumQoS { get; set; } = QualityOfService.ExactlyOnce;

    /// <summary>What a QoS 2 PUBLISH gets when <see cref="MaximumQoS"/> allows it. Default accept.</summary>
    public Qos2PublishHandling Qos2Publish { get; set; } = Qos2PublishHandling.Accept;

    /// <summary>What a retained PUBLISH gets. Default store.</summary>
    public RetainPolicy Retain { get; set; } = RetainPolicy.Store;

    /// <summary>User property added when <see cref="Retain"/> is PassOnAsProperty. Default "mqtt-retain".</summary>
    public string RetainPropertyName { get; set; } = "mqtt-retain";

    /// <summary>Whether CONNECT may carry a will. Default true.</summary>
    public bool WillsAllowed { get; set; } = true;

    /// <summary>How a delivery's QoS is chosen. Default downgrade to the subscription's QoS.</summary>
    public SubscriptionQosMode SubscriptionQos { get; set; } = SubscriptionQosMode.Downgrade;

    /// <summary>Largest keep-alive in seconds a client gets (v5: Server Keep Alive; 3.x: enforced). 0 = no limit (default).</summary>
    public ushort MaximumKeepAlive { get; set; }

    /// <summary>What a second connection with a live client id does. Default take over.</summary>
    public ClientIdConflictPolicy ClientIdConflict { get; set; } = ClientIdConflictPolicy.TakeOver;

    /// <summary>Largest packet accepted, fixed header included. Default 1 MiB (EMQX's default; AWS allows 128 KiB, Azure 256 KiB).</summary>
    public int MaximumPacketSize { get; set; } = 1024 * 1024;

    /// <summary>Unacknowledged QoS 1/2 messages the server has out to one client at once (further capped by the client's Receive Maximum). Default 256: a deep enough pipeline that a subscriber acknowledging promptly is not held to one round trip per window.</summary>
    public int MaximumInflightMessages { get; set; } = 256;

    /// <summary>Receive Maximum the server announces: QoS 1/2 publications a client may have unacknowledged towards the server. Default 65535.</summary>
    public ushort ReceiveMaximum { get; set; } = ushort.MaxValue;

    /// <summary>Messages queued per session beyond the inflight window (also while offline); newer ones are dropped and counted. Default 1000 (Mosquitto's).</summary>
    public int MaximumQueuedMessages { get; set; } = 1000;

    /// <summary>Whether QoS 0 messages are queued for an offline persistent session. Default false (as Mosquitto).</summary>
    public bool QueueQos0WhileOffline { get; set; }

    /// <summary>
    /// Topic aliases a v5 client may set towards the server (announced as Topic Alias Maximum).
    /// Default 10 (Mosquitto's): each costs the connection a copy of its topic. 0 disables them.
    /// </summary>
    public ushort TopicAliasMaximum { get; set; } = 10;

    /// <summary>Whether the server gives topics aliases when it sends to a v5 client that accepts them. Default true.</summary>
    public bool SendTopicAliases { get; set; } = true;

    /// <summary>How a shared subscription group picks the member that gets a message. Default round robin (as EMQX).</summary>
    public SharedSubscriptionStrategy SharedSubscriptionStrategy { get; set; } = SharedSubscriptionStrategy.RoundRobin;

    /// <summary>Open MQTT connections the broker accepts; a CONNECT beyond it is refused (v5 0x89 Server busy, 3.x 3). 0 = no limit (default, as Mosquitto and EMQX).</summary>
    public int MaximumConnections { get; set; }

    /// <summary>Longest topic name accepted in a PUBLISH, in UTF-8 bytes. Default 65535 (the protocol's own limit).</summary>
    public int MaximumTopicLength { get; set; } = ushort.MaxValue;

    /// <summary>Most levels a topic name or filter may have. Default 128 (EMQX's).</summary>
    public int MaximumTopicLevels { get; set; } = 128;

    /// <summary>Bytes (topic, properties and payload) queued per session, and waiting as QoS 0 for a slow reader. 0 = no byte limit (default; the count limit still holds).</summary>
    public long MaximumQueuedBytes { get; set; }

    /// <summary>
    /// Publisher backpressure: while a connected subscriber holds more than half its queue bounds,
    /// publishers routing to it pause reading (TCP slows them) until it drains to a quarter, so a
    /// slow consumer loses nothing. Default on.
    /// </summary>
    public bool Backpressure { get; set; } = true;

    /// <summary>How long a subscriber may hold publishers back without draining to a quarter of its bounds; after that the queue bounds and <see cref="QueueOverflow"/> apply to it. Default 2 s.</summary>
    public TimeSpan BackpressureTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>What happens when a session's queue is full. Default: drop QoS 0 first, then disconnect a slow consumer.</summary>
    public QueueOverflowPolicy QueueOverflow { get; set; } = QueueOverflowPolicy.DropQos0ThenDisconnect;

    /// <summary>
    /// QoS 1/2 deliveries stored for all persistent sessions together (each session is also held
    /// to its queue bounds); beyond it new deliveries to persistent sessions are dropped and counted
    /// (reason <c>store_full</c>). 0 = no limit (default).
    /// </summary>
    public long MaximumStoredMessages { get; set; }

    /// <summary>Subscriptions one session may hold; more get SUBACK 0x97 (3.x: 0x80). 0 = no limit (default).</summary>
    public int MaximumSubscriptionsPerClient { get; set; }
}
