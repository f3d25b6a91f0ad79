using Manta.Protocol.Packets;

namespace Manta.Broker.Persistence;

/// <summary>A will waiting for its delay, with the wall-clock time it is due (Unix ms).</summary>
public sealed record StoredWill(WillMessage Will, long DueAtUnixMs);
