namespace Manta.Broker.Extensibility;

/// <summary>
/// One MQTT 5 enhanced authentication method (section 4.12), such as SCRAM-SHA-256: runs the
/// challenge / response exchange of AUTH packets that a CONNECT with an Authentication Method
/// starts, and a re-authentication (AUTH 0x19) of a connected client. Chosen by
/// <see cref="Method"/>; without one registered for a method, that method is refused (0x8C).
/// </summary>
/// <remarks>
/// Calls for one connection never overlap: the connection's read loop awaits each step. The
/// state object is the authenticator's own and is handed back to <see cref="ContinueAsync"/>
/// unchanged; it is dropped when the connection ends.
/// </remarks>
public interface IEnhancedAuthenticator
{
    /// <summary>The Authentication Method this authenticator answers to (compared ordinally, e.g. "SCRAM-SHA-256").</summary>
    string Method { get; }

    /// <summary>First step: the Authentication Data of the CONNECT (or of AUTH 0x19 on re-authentication).</summary>
    ValueTask<AuthenticationStep> StartAsync(AuthenticationRequest request, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Next step: the Authentication Data of the client's AUTH 0x18, with the state of the previous <see cref="AuthenticationStep.Continue"/>.</summary>
    ValueTask<AuthenticationStep> ContinueAsync(object? state, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
