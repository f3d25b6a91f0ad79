namespace Manta.Server.Configuration;

/// <summary>
/// SCRAM-SHA-256 users (configuration <c>Manta:Authentication:Scram</c>). With at least one user the
/// broker accepts the Authentication Method "SCRAM-SHA-256"; keys are derived at start-up and the
/// broker keeps no password.
/// </summary>
public sealed class ScramOptions
{
    /// <summary>PBKDF2 iteration count for every user. Default 4096, the minimum RFC 7677 asks for.</summary>
    public int Iterations { get; set; } = 4096;

    /// <summary>The users. Default: none.</summary>
    public List<ScramUserOptions> Users { get; set; } = [];
}
