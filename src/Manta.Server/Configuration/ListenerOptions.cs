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

    /// <summary>Transport: "tcp", "tls", "ws" (MQTT over WebSocket) or "wss" (over secure WebSocket). Default "tcp".</summary>
    public string Transport { get; set; } = "tcp";

    /// <summary>The listener's own certificate (tls); without one, <c>Manta:Certificate</c> is used.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>Whether clients are asked for a certificate (tls). Default none.</summary>
    public ClientCertificatePolicy ClientCertificates { get; set; } = ClientCertificatePolicy.None;

    /// <summary>PEM bundle of the CA certificates client certificates must chain to (tls with client certificates).</summary>
    public string? ClientCaPath { get; set; }

    /// <summary>ALPN protocol names offered (tls), e.g. "x-amzn-mqtt-ca" as AWS IoT Core uses on port 443. Default none.</summary>
    public List<string> Alpn { get; set; } = [];

    /// <summary>
    /// The listener is behind a load balancer that sends the PROXY protocol header (v1 or v2):
    /// the real client address is taken from it, and a connection without it is closed. Default false.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>WebSocket path (ws/wss). Default "/mqtt".</summary>
    public string WebSocketPath { get; set; } = "/mqtt";

    /// <summary>True for transports that run over TLS.</summary>
    public bool IsTls => Transport.ToLowerInvariant() is "tls" or "wss";

    /// <summary>True for MQTT over WebSocket.</summary>
    public bool IsWebSocket => Transport.ToLowerInvariant() is "ws" or "wss";
}
