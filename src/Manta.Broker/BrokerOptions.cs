using Manta.Broker.Policy;

namespace Manta.Broker;

/// <summary>Broker settings (configuration section <c>Manta:Broker</c>).</summary>
public sealed class BrokerOptions
{
    /// <summary>How long a new connection may take to send CONNECT. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Period of the one shared tick that drives keep-alive, connect timeout, session expiry and will delay. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a closing connection may take to write what is queued (e.g. DISCONNECT) before it is aborted. Default 5 s.</summary>
    public TimeSpan CloseFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The behaviour knobs; the defaults are the MQTT standard.</summary>
    public BrokerPolicy Policy { get; set; } = new();
}
