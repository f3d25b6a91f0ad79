namespace Manta.Broker.Sessions;

/// <summary>The registry's answer to a CONNECT: the session to use and whether it existed, or null when refused.</summary>
internal readonly record struct ConnectOutcome(Session? Session, bool SessionPresent);
