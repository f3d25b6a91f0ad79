namespace Manta.Server.Configuration;

/// <summary>One MQTT listener (configuration <c>Manta:Listeners:N</c>).</summary>
public sealed class ListenerOptions
{
    /// <summary>Name used in logs and metrics. Default "mqtt".</summary>
    public string Name { get; set; } = "mqtt";

    /// <summary>Bind address. Default 0.0.0.0 (every IPv4 interface).</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>TCP port. Default 1883.</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Transport; only "tcp" for now (TLS and WebSocket come with the transports issue). Default "tcp".</summary>
    public string Transport { get; set; } = "tcp";
}
