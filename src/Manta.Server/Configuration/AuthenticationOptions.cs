namespace Manta.Server.Configuration;

/// <summary>Client authentication (configuration <c>Manta:Authentication</c>).</summary>
public sealed class AuthenticationOptions
{
    /// <summary>MQTT 5 enhanced authentication with SCRAM-SHA-256. Default: no users, method not offered.</summary>
    public ScramOptions Scram { get; set; } = new();
}
