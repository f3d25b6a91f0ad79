using Manta.Protocol.Packets;

namespace Manta.Broker.Sessions;

/// <summary>A will waiting for its delay to pass (v5 Will Delay Interval).</summary>
internal sealed record PendingWill(WillMessage Will, long DueAt);
