using System.Security.Cryptography;
using System.Text;
using Manta.Broker.Extensibility;
using Manta.Protocol;

namespace Manta.Broker.Authentication;

/// <summary>
/// The SCRAM-SHA-256 server (RFC 5802, RFC 7677) as an MQTT 5 enhanced authentication method:
/// client-first (CONNECT or AUTH 0x19) -> server-first (AUTH 0x18) -> client-final (AUTH 0x18)
/// -> server-final <c>v=ServerSignature</c> (CONNACK or AUTH 0x00), against a
/// <see cref="ScramCredentialStore"/>. Without channel binding (no -PLUS); names and passwords
/// are compared as UTF-8 without SASLprep.
/// </summary>
public sealed class ScramSha256Authenticator : IEnhancedAuthenticator
{
    /// <summary>The Authentication Method name (the SASL mechanism name, RFC 7677 section 3).</summary>
    public const string MethodName = "SCRAM-SHA-256";

    /// <summary>Random bytes in a server nonce (base64: 24 characters).</summary>
    private const int ServerNonceBytes = 18;

    // One reason for a wrong password and an unknown user alike: the client must not learn which.
    private const string BadCredentials = "bad user name or password";

    private readonly ScramCredentialStore _store;
    private readonly Func<string> _serverNonce;

    /// <summary>
    /// Creates the authenticator over <paramref name="store"/>. <paramref name="serverNonce"/> makes
    /// the server's part of the nonce (printable ASCII without ','); random unless a test fixes it.
    /// </summary>
    public ScramSha256Authenticator(ScramCredentialStore store, Func<string>? serverNonce = null)
    {
        _store = store;
        _serverNonce = serverNonce ?? (() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes)));
    }

    /// <inheritdoc />
    public string Method => MethodName;

    /// <inheritdoc />
    public ValueTask<AuthenticationStep> StartAsync(AuthenticationRequest request, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => ValueTask.FromResult(Start(request.ClientId, data.Span));

    /// <inheritdoc />
    public ValueTask<AuthenticationStep> ContinueAsync(object? state, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => ValueTask.FromResult(state is ScramExchangeState exchange
            ? Finish(exchange, data.Span)
            : AuthenticationStep.Fail(ReasonCode.ProtocolError, "SCRAM exchange already complete"));

    /// <summary>client-first -> server-first <c>r=cnonce+snonce,s=salt,i=iterations</c>.</summary>
    private AuthenticationStep Start(string clientId, ReadOnlySpan<byte> data)
    {
        if (!ScramText.TryDecode(data, out var message))
        {
            return Malformed("client-first message is not UTF-8");
        }

        if (!ScramClientFirst.TryParse(message, out var clientFirst, out var error))
        {
            return Malformed(error);
        }

        var serverNonce = _serverNonce();
        if (!ScramText.IsValidNonce(serverNonce))
        {
            throw new InvalidOperationException("The server nonce must be printable ASCII without ','.");
        }

        var known = _store.TryGet(clientFirst.UserName, out var credential);
        var nonce = clientFirst.ClientNonce + serverNonce;
        var serverFirst = $"r={nonce},s={Convert.ToBase64String(credential.Salt)},i={credential.Iterations}";
        var state = new ScramExchangeState(clientId, clientFirst, serverFirst, nonce, credential, known);
        return AuthenticationStep.Continue(ScramText.Utf8.GetBytes(serverFirst), state);
    }

    /// <summary>client-final -> verify the proof with StoredKey -> server-final <c>v=ServerSignature</c>.</summary>
    private static AuthenticationStep Finish(ScramExchangeState exchange, ReadOnlySpan<byte> data)
    {
        if (!ScramText.TryDecode(data, out var message))
        {
            return Malformed("client-final message is not UTF-8");
        }

        if (!ScramClientFinal.TryParse(message, out var clientFinal, out var error))
        {
            return Malformed(error);
        }

        if (!clientFinal.ChannelBinding.AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(exchange.ClientFirst.Gs2Header)))
        {
            return Malformed("channel binding does not repeat the GS2 header");
        }

        if (!string.Equals(clientFinal.Nonce, exchange.Nonce, StringComparison.Ordinal))
        {
            return Malformed("nonce does not match");
        }

        var authMessage = ScramText.Utf8.GetBytes($"{exchange.ClientFirst.Bare},{exchange.ServerFirst},{clientFinal.WithoutProof}");
        var credential = exchange.Credential;

        // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof holds when H(ClientKey) == StoredKey.
        Span<byte> clientKey = stackalloc byte[SHA256.HashSizeInBytes];
        HMACSHA256.HashData(credential.StoredKey, authMessage, clientKey);
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= clientFinal.Proof[i];
        }

        Span<byte> storedKey = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(clientKey, storedKey);

        // Unknown users run the same computation against made-up keys and fail here, like a wrong password.
        if (!CryptographicOperations.FixedTimeEquals(storedKey, credential.StoredKey) || !exchange.KnownUser)
        {
            return AuthenticationStep.Fail(ReasonCode.BadUserNameOrPassword, BadCredentials);
        }

        var serverSignature = HMACSHA256.HashData(credential.ServerKey, authMessage);
        var serverFinal = "v=" + Convert.ToBase64String(serverSignature);
        return AuthenticationStep.Success(new ClientPrincipal(exchange.ClientId, exchange.ClientFirst.UserName), Encoding.ASCII.GetBytes(serverFinal));
    }

    private static AuthenticationStep Malformed(string why) => AuthenticationStep.Fail(ReasonCode.NotAuthorized, "SCRAM: " + why);
}
