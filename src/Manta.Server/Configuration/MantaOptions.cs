using Manta.Broker;

namespace Manta.Server.Configuration;

/// <summary>Everything under the configuration section <c>Manta</c>.</summary>
public sealed class MantaOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Manta";

    /// <summary>MQTT listeners. Default: TCP on 0.0.0.0:1883 and WebSocket on 0.0.0.0:8083; with <see cref="Certificate"/> set also TLS on 8883 and secure WebSocket on 8084.</summary>
    public List<ListenerOptions> Listeners { get; set; } = [];

    /// <summary>The default server certificate for TLS listeners that do not name their own.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>Broker behaviour and limits.</summary>
    public BrokerOptions Broker { get; set; } = new();

    /// <summary>Client authentication (SCRAM-SHA-256 users).</summary>
    public AuthenticationOptions Authentication { get; set; } = new();

    /// <summary>Where durable state is kept (<c>manta serve --data-dir DIR</c>); created at start-up by <c>manta serve</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Durable state: an embedded SQLite database (default) or memory only.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>
    /// Runs socket completions (and so the MQTT read loops) on the socket threads instead of
    /// queueing them to the thread pool: fewer thread hops per packet. Safe because no broker code
    /// blocks a read loop; an <c>IAuthenticator</c> that blocks synchronously would stall every
    /// connection on its socket thread. Default false.
    /// </summary>
    public bool InlineSocketCompletions { get; set; }

    /// <summary>The listeners to open: the configured ones, or the default one.</summary>
    public IReadOnlyList<ListenerOptions> EffectiveListeners => Listeners.Count > 0
        ? Listeners
        : Certificate.IsSet
            ?
            [
                new ListenerOptions(),
                new ListenerOptions { Name = "ws", Port = 8083, Transport = "ws" },
                new ListenerOptions { Name = "mqtts", Port = 8883, Transport = "tls" },
                new ListenerOptions { Name = "wss", Port = 8084, Transport = "wss" },
            ]
            : [new ListenerOptions(), new ListenerOptions { Name = "ws", Port = 8083, Transport = "ws" }];
}
