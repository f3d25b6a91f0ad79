namespace Manta.Server.Configuration;

/// <summary>
/// The HTTP port (configuration <c>Manta:Http</c>): <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>,
/// and later the management API and the dashboard.
/// </summary>
public sealed class HttpOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Manta:Http";

    /// <summary>Whether the HTTP port is opened at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bind address: an IP address, "localhost" or "*". Default 0.0.0.0 (every IPv4 interface).</summary>
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>TCP port; 0 picks a free one. Default 8080.</summary>
    public int Port { get; set; } = 8080;
}
