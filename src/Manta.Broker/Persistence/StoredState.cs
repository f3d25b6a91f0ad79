namespace Manta.Broker.Persistence;

/// <summary>
/// Everything a store holds, as read at start-up. <paramref name="LastDeliveryId"/> is at least the
/// highest delivery id the store holds, including deliveries of sessions it does not return (0 for
/// none): the broker numbers new deliveries after it, so no id held is ever given again and a store
/// may key deliveries by id alone.
/// </summary>
public sealed record StoredState(IReadOnlyList<StoredSession> Sessions, IReadOnlyList<StoredMessage> Retained, long LastDeliveryId = 0)
{
    /// <summary>Nothing stored.</summary>
    public static StoredState Empty { get; } = new([], []);
}
