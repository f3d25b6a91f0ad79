using Manta.Broker;

namespace Manta.Server.Configuration;

/// <summary>Everything under the configuration section <c>Manta</c>.</summary>
public sealed class MantaOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Manta";

    /// <summary>MQTT listeners. Default: one plain TCP listener on 0.0.0.0:1883.</summary>
    public List<ListenerOptions> Listeners { get; set; } = [];

    /// <summary>Broker behaviour and limits.</summary>
    public BrokerOptions Broker { get; set; } = new();

    /// <summary>Client authentication (SCRAM-SHA-256 users).</summary>
    public AuthenticationOptions Authentication { get; set; } = new();

    /// <summary>The listeners to open: the configured ones, or the default one.</summary>
    public IReadOnlyList<ListenerOptions> EffectiveListeners => Listeners.Count > 0 ? Listeners : [new ListenerOptions()];
}
