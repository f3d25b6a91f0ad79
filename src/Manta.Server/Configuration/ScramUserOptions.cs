namespace Manta.Server.Configuration;

/// <summary>One SCRAM-SHA-256 user (configuration <c>Manta:Authentication:Scram:Users:N</c>).</summary>
public sealed class ScramUserOptions
{
    /// <summary>The user name the client sends in n= (compared exactly, no SASLprep). Required.</summary>
    public string UserName { get; set; } = string.Empty;

    /// <summary>The password; read once at start-up to derive the keys. Required.</summary>
    public string Password { get; set; } = string.Empty;
}
