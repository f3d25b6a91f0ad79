namespace Manta.Broker.Extensibility;

/// <summary>Decides whether a CONNECT (and its TLS client certificate) is let in. Without one, every client is.</summary>
public interface IAuthenticator
{
    /// <summary>Returns the principal to connect as, or the reason code to refuse with.</summary>
    ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken);
}
