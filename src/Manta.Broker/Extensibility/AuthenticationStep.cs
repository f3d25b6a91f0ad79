using Manta.Protocol;

namespace Manta.Broker.Extensibility;

/// <summary>The outcome of one step of an <see cref="IEnhancedAuthenticator"/> exchange.</summary>
/// <param name="Kind">Continue, succeed or fail.</param>
/// <param name="Data">Authentication Data for the client (the challenge, or the final message on success); may be empty.</param>
/// <param name="State">The authenticator's state for its next <see cref="IEnhancedAuthenticator.ContinueAsync"/> (Continue only).</param>
/// <param name="Principal">Who the client is (Success only).</param>
/// <param name="ReasonCode">Success, or the code to refuse with (Fail: e.g. 0x86 bad user name or password, 0x87 not authorized).</param>
/// <param name="Reason">Why it failed, for the log and the Reason String; must not reveal whether a user exists.</param>
public readonly record struct AuthenticationStep(
    AuthenticationStepKind Kind,
    ReadOnlyMemory<byte> Data,
    object? State,
    ClientPrincipal? Principal,
    ReasonCode ReasonCode,
    string? Reason)
{
    /// <summary>Send <paramref name="data"/> to the client in AUTH 0x18 and call back with <paramref name="state"/>.</summary>
    public static AuthenticationStep Continue(ReadOnlyMemory<byte> data, object? state) => new(AuthenticationStepKind.Continue, data, state, null, ReasonCode.ContinueAuthentication, null);

    /// <summary>Accept the client as <paramref name="principal"/>, sending <paramref name="data"/> as the final Authentication Data.</summary>
    public static AuthenticationStep Success(ClientPrincipal principal, ReadOnlyMemory<byte> data) => new(AuthenticationStepKind.Success, data, null, principal, ReasonCode.Success, null);

    /// <summary>Refuse with <paramref name="reasonCode"/> (must be an error code, 0x80 or more).</summary>
    public static AuthenticationStep Fail(ReasonCode reasonCode, string reason) => new(AuthenticationStepKind.Fail, ReadOnlyMemory<byte>.Empty, null, null, reasonCode, reason);
}
