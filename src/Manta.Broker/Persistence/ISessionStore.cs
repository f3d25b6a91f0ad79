namespace Manta.Broker.Persistence;

/// <summary>
/// Durable state of the broker (persistent sessions, their subscriptions, queued and inflight
/// QoS 1/2 deliveries, inbound QoS 2 ids, delayed wills, retained messages). The broker keeps
/// its working state in memory and tells the store every change as a <see cref="StoreOperation"/>;
/// the store applies them in order, many per transaction (group commit), and says when a
/// position in that stream is durable. Read once, at start-up, with <see cref="Load"/>.
/// </summary>
public interface ISessionStore : IAsyncDisposable
{
    /// <summary>True when <see cref="WhenDurableAsync"/> waits for a commit (durability "sync"); false when it completes at once.</summary>
    bool AcknowledgesAfterCommit { get; }

    /// <summary>Position of the last operation written (0 before any).</summary>
    long Position { get; }

    /// <summary>Position up to which everything is committed.</summary>
    long DurablePosition { get; }

    /// <summary>Everything stored, in the order it was written. Called once, before any <see cref="Write"/>.</summary>
    StoredState Load();

    /// <summary>
    /// Records a change; never blocks on I/O. Operations are applied in the order of the calls.
    /// A <see cref="StoreOperation.Message"/> arrives with a reference taken for the store, which
    /// the store releases once it no longer needs the message.
    /// </summary>
    void Write(in StoreOperation operation);

    /// <summary>Completes once every operation up to <paramref name="position"/> is committed.</summary>
    ValueTask WhenDurableAsync(long position);

    /// <summary>
    /// Starts a group: every operation written from now until <see cref="ReleaseCommit"/> (by any
    /// thread) is committed in one transaction with the others of the group, never split. Returns
    /// the token to release it with. Operations written before it commit as usual.
    /// </summary>
    long HoldCommit();

    /// <summary>Ends the group started by <see cref="HoldCommit"/>.</summary>
    void ReleaseCommit(long token);
}
