namespace Manta.Broker.Extensibility;

/// <summary>Who a connection is, as established by an <see cref="IAuthenticator"/>.</summary>
/// <param name="ClientId">The client identifier of the connection.</param>
/// <param name="UserName">The user name from CONNECT, if any.</param>
/// <param name="Attributes">Whatever the authenticator wants authorizers to see (device id, product, ...).</param>
public sealed record ClientPrincipal(string ClientId, string? UserName, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>A principal with no attributes.</summary>
    public ClientPrincipal(string clientId, string? userName)
        : this(clientId, userName, EmptyAttributes)
    {
    }

    // Shared and read-only: an idle connection should not carry an empty dictionary of its own.
    private static readonly IReadOnlyDictionary<string, string> EmptyAttributes = System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
}
