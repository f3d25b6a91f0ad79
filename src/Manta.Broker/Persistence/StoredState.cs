namespace Manta.Broker.Persistence;

/// <summary>Everything a store holds, as read at start-up.</summary>
public sealed record StoredState(IReadOnlyList<StoredSession> Sessions, IReadOnlyList<StoredMessage> Retained)
{
    /// <summary>Nothing stored.</summary>
    public static StoredState Empty { get; } = new([], []);
}
