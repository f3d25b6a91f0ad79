using Manta.Broker.Extensibility;
using Manta.Protocol.Packets;

namespace Manta.Broker.Authentication;

/// <summary>
/// An AUTH exchange under way on one connection: the authenticator, its state between steps and,
/// while connecting, the CONNECT that waits for the outcome (null on re-authentication).
/// </summary>
internal sealed class AuthExchange(IEnhancedAuthenticator authenticator, ConnectPacket? pendingConnect, bool assignedClientId)
{
    /// <summary>The authenticator that runs the exchange.</summary>
    public IEnhancedAuthenticator Authenticator { get; } = authenticator;

    /// <summary>The Authentication Method every AUTH of the exchange must carry.</summary>
    public string Method => Authenticator.Method;

    /// <summary>The CONNECT to complete on success; null for a re-authentication.</summary>
    public ConnectPacket? PendingConnect { get; } = pendingConnect;

    /// <summary>True when the broker assigned the client identifier (announced in CONNACK).</summary>
    public bool AssignedClientId { get; } = assignedClientId;

    /// <summary>The authenticator's state from its last Continue step.</summary>
    public object? State { get; set; }
}
