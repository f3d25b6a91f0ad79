namespace Manta.Broker.Policy;

/// <summary>Whether, and how, v5 clients are sent to another server at CONNECT (section 4.11).</summary>
public enum ServerRedirect
{
    /// <summary>Serve clients here (default).</summary>
    None,

    /// <summary>CONNACK 0x9C "Use another server" with the Server Reference: a temporary move.</summary>
    UseAnotherServer,

    /// <summary>CONNACK 0x9D "Server moved" with the Server Reference: a permanent move.</summary>
    ServerMoved,
}
