using Manta.Broker.Limits;
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

    /// <summary>
    /// Prefix of the Response Information a v5 client gets when it sets Request Response
    /// Information: the client is told <c>{prefix}{client id}</c>, a part of the topic tree of its
    /// own for responses. Empty: no Response Information is sent. Default "response/".
    /// </summary>
    public string ResponseInformationPrefix { get; set; } = "response/";

    /// <summary>Sends v5 clients elsewhere at CONNECT (3.x clients are refused as "server unavailable"). Default none.</summary>
    public ServerRedirect Redirect { get; set; } = ServerRedirect.None;

    /// <summary>The Server Reference sent with a redirect, e.g. "mqtt2.example.com:1883". Required when <see cref="Redirect"/> is set.</summary>
    public string? ServerReference { get; set; }

    /// <summary>How often the $SYS/broker/... topics are published (retained). Zero disables them. Default 10 s (as Mosquitto).</summary>
    public TimeSpan SysInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Rate limits and bans.</summary>
    public LimitOptions Limits { get; set; } = new();
}
