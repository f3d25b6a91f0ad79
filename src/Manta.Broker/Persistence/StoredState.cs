namespace Manta.Broker.Persistence;

/// <summary>
/// Everything a store holds, as read at start-up. <paramref name="LastDeliveryId"/> is the highest
/// delivery id the store has ever been given, whether or not its row is still there (0 for none):
/// the broker numbers new deliveries after it, so a store may key deliveries by id alone.
/// </summary>
public sealed record StoredState(IReadOnlyList<StoredSession> Sessions, IReadOnlyList<StoredMessage> Retained, long LastDeliveryId = 0)
{
    /// <summary>Nothing stored.</summary>
    public static StoredState Empty { get; } = new([], []);
}
