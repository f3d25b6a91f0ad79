namespace Manta.Broker.Connections;

/// <summary>
/// Publisher backpressure for one connection. When the deliveries held for it (in its outbox and
/// its session's queue) pass a high-water mark, the gate closes and publishers that route to it
/// pause reading until it drains to the low-water mark: a consumer slower than its publishers
/// slows them down over TCP instead of losing what they were acknowledged. A consumer that makes
/// no progress for the stall timeout stops holding publishers back; the queue bounds and the
/// overflow policy then apply to it as if there were no gate.
/// </summary>
internal sealed class FlowGate
{
    // Without a byte bound, large messages still close the gate at this many bytes held.
    private const long DefaultHighBytes = 8 * 1024 * 1024;

    [ThreadStatic]
    private static FlowGate? t_noted;

    private readonly Lock _gate = new();
    private readonly int _highCount;
    private readonly int _lowCount;
    private readonly long _highBytes;
    private readonly long _lowBytes;
    private int _count;
    private long _bytes;
    private TaskCompletionSource? _relief;
    private long _closedSince;
    private bool _stalled;
    private bool _disposed;
    private volatile bool _ownerWaiting;

    /// <summary>A gate that closes at <paramref name="highCount"/> messages or <paramref name="highBytes"/> bytes and opens at half of each.</summary>
    public FlowGate(int highCount, long highBytes)
    {
        _highCount = Math.Max(1, highCount);
        _lowCount = _highCount / 2;
        _highBytes = Math.Max(1, highBytes);
        _lowBytes = _highBytes / 2;
    }

    /// <summary>A gate for a connection under <paramref name="policy"/>: closes at half its queue bounds, or never when backpressure is off.</summary>
    public static FlowGate For(Policy.BrokerPolicy policy)
    {
        if (!policy.Backpressure)
        {
            return new FlowGate(int.MaxValue, long.MaxValue);
        }

        // Half the bounds, so the gate closes well before the overflow policy would drop anything.
        var bytes = policy.MaximumQueuedBytes > 0 ? policy.MaximumQueuedBytes / 2 : DefaultHighBytes;
        return new FlowGate(policy.MaximumQueuedMessages / 2, bytes);
    }

    /// <summary>True while publishers should wait for this connection.</summary>
    public bool IsClosed => Volatile.Read(ref _relief) is not null;

    /// <summary>Deliveries held for the connection.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Set while the connection's own read loop waits for another gate: a publisher never waits for
    /// a consumer that is itself waiting, so two clients publishing to each other cannot deadlock.
    /// </summary>
    public bool OwnerWaiting
    {
        get => _ownerWaiting;
        set => _ownerWaiting = value;
    }

    /// <summary>Starts routing one publication on this thread: forgets any gate noted before.</summary>
    public static void BeginRoute() => t_noted = null;

    /// <summary>
    /// Ends routing a publication by <paramref name="publisher"/>: the closed gate of a recipient
    /// it should wait for, if any (never its own, never one whose owner is waiting itself).
    /// </summary>
    public static FlowGate? EndRoute(FlowGate publisher)
    {
        var noted = t_noted;
        t_noted = null;
        return noted is null || ReferenceEquals(noted, publisher) || noted.OwnerWaiting ? null : noted;
    }

    /// <summary>Called after handing a delivery to this connection on the publisher's thread: remembers the gate if it is closed.</summary>
    public void NoteIfClosed()
    {
        if (IsClosed)
        {
            t_noted = this;
        }
    }

    /// <summary>Adds (or with negative values removes) held deliveries; closes or opens the gate when a mark is crossed.</summary>
    public void Add(int count, long bytes)
    {
        var c = Interlocked.Add(ref _count, count);
        var b = Interlocked.Add(ref _bytes, bytes);
        if (count > 0)
        {
            if ((c >= _highCount || b >= _highBytes) && Volatile.Read(ref _relief) is null && !Volatile.Read(ref _stalled))
            {
                Close();
            }
        }
        else if (c <= _lowCount && b <= _lowBytes && (Volatile.Read(ref _relief) is not null || Volatile.Read(ref _stalled)))
        {
            Open();
        }
    }

    /// <summary>Completes when the gate opens (at once when it is open).</summary>
    public Task WaitAsync() => Volatile.Read(ref _relief)?.Task ?? Task.CompletedTask;

    /// <summary>
    /// From the shared tick: true when the gate has been closed for <paramref name="timeoutTicks"/>
    /// or more; it is then opened and stays open (stalled) until the backlog drains to the low mark.
    /// </summary>
    public bool CheckStall(long now, long timeoutTicks)
    {
        TaskCompletionSource? relief;
        lock (_gate)
        {
            if (_relief is null)
            {
                _closedSince = 0;
                return false;
            }

            if (_closedSince == 0)
            {
                _closedSince = now;
                return false;
            }

            if (now - _closedSince < timeoutTicks)
            {
                return false;
            }

            relief = _relief;
            Volatile.Write(ref _relief, null);
            Volatile.Write(ref _stalled, true);
            _closedSince = 0;
        }

        relief.TrySetResult();
        return true;
    }

    /// <summary>Opens the gate for good (the connection is gone): releases every waiter.</summary>
    public void Dispose()
    {
        TaskCompletionSource? relief;
        lock (_gate)
        {
            _disposed = true;
            relief = _relief;
            Volatile.Write(ref _relief, null);
        }

        relief?.TrySetResult();
    }

    private void Close()
    {
        lock (_gate)
        {
            if (_disposed || _relief is not null || _stalled)
            {
                return;
            }

            // Published before the counts are read again: a concurrent drain either sees this
            // gate closed or its own decrement is seen here, so the gate is never left closed.
            Interlocked.Exchange(ref _relief, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _closedSince = 0;
            if (Volatile.Read(ref _count) >= _highCount || Volatile.Read(ref _bytes) >= _highBytes)
            {
                return;
            }
        }

        Open();
    }

    private void Open()
    {
        TaskCompletionSource? relief;
        lock (_gate)
        {
            if (Volatile.Read(ref _count) > _lowCount || Volatile.Read(ref _bytes) > _lowBytes)
            {
                return;
            }

            relief = _relief;
            Volatile.Write(ref _relief, null);
            Volatile.Write(ref _stalled, false);
            _closedSince = 0;
        }

        relief?.TrySetResult();
    }
}
