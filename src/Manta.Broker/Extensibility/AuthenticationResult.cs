using Manta.Protocol;

namespace Manta.Broker.Extensibility;

/// <summary>An authenticator's verdict: success with a principal, or the reason code to refuse with.</summary>
public readonly record struct AuthenticationResult(ReasonCode ReasonCode, ClientPrincipal? Principal, string? Reason = null)
{
    /// <summary>Accept as <paramref name="principal"/>.</summary>
    public static AuthenticationResult Success(ClientPrincipal principal) => new(ReasonCode.Success, principal);

    /// <summary>Refuse with <paramref name="code"/> (e.g. 0x86 bad user name or password, 0x87 not authorized).</summary>
    public static AuthenticationResult Fail(ReasonCode code, string reason) => new(code, null, reason);
}
