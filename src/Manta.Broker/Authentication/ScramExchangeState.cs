namespace Manta.Broker.Authentication;

/// <summary>What a SCRAM exchange remembers between server-first and client-final.</summary>
internal sealed record ScramExchangeState(
    string ClientId,
    ScramClientFirst ClientFirst,
    string ServerFirst,
    string Nonce,
    ScramCredential Credential,
    bool KnownUser);
