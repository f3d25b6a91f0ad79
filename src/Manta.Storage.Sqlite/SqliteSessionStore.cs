using System.Runtime.InteropServices;
using Manta.Broker.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;

namespace Manta.Storage.Sqlite;

/// <summary>
/// Manta's default durable store: an embedded SQLite database file (WAL journal).
/// </summary>
/// <remarks>
/// <para><b>Writing.</b> <see cref="Write"/> appends the operation to an in-memory batch under a
/// short lock and never touches the disk. One dedicated writer thread repeatedly takes everything
/// pending, drops what the batch itself undoes (<see cref="BatchCoalescer"/>), applies the rest in
/// one transaction with prepared statements and commits (group commit: while one transaction
/// commits, the next batch accumulates). Messages are read in the writer, straight from their
/// pooled buffers, and released once their batch is committed.</para>
/// <para><b>Durability.</b> Every operation gets a position (a running count). In
/// <see cref="StoreDurability.Sync"/> mode <see cref="WhenDurableAsync"/> completes once a commit
/// covered the position: at once, without allocating, when it already has; otherwise on a signal
/// shared by every waiter of the same batch. In <see cref="StoreDurability.Periodic"/> mode it
/// completes at once and the writer commits every <see cref="SqliteStoreOptions.FlushInterval"/>.</para>
/// <para><b>Failures.</b> A commit that fails (disk full, I/O error) is rolled back, logged and
/// retried with the same operations (and any written since), with a growing pause; nothing of it
/// is reported durable until a commit succeeds.</para>
/// </remarks>
public sealed class SqliteSessionStore : ISessionStore
{
    /// <summary>The schema version this build writes (<c>PRAGMA user_version</c>).</summary>
    public const int SchemaVersion = SqliteSchema.CurrentVersion;

    // Pause before retrying a failed commit: doubles from the first to the last.
    private const int FirstRetryMilliseconds = 50;
    private const int LastRetryMilliseconds = 5_000;

    // Attempts at the final commit when closing, before what is pending is given up as lost.
    private const int ClosingAttempts = 3;

    // Periodic mode: this many pending operations wake the writer before the interval is over, so
    // that a burst is written in bounded batches instead of piling up in memory.
    private const int EarlyFlushOperations = 64 * 1024;

    private readonly object _gate = new();
    private readonly object _database = new();
    private readonly string _walPath;
    private readonly bool _sync;
    private readonly int _flushMilliseconds;
    private readonly ILogger _logger;
    private readonly SqliteConnection _connection;
    private readonly StoreLock _lock;
    private readonly BatchWriter _writer;
    private readonly BatchCoalescer _coalescer = new();
    private readonly TaskCompletionSource _writerExited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate. Write appends to _pending; the writer swaps it with _batch (its own list
    // between takes) so that steady state allocates no list.
    private List<StoreOperation> _pending = new(1024);
    private List<StoreOperation> _batch = new(1024);
    private long _position;
    private long _takenEnd;
    private TaskCompletionSource? _takenSignal;
    private TaskCompletionSource? _nextSignal;

    // The highest position waited for on _nextSignal: after a partial take (an open group) the
    // waiters can move to the batch being committed only if none of them waits for more.
    private long _nextMax;
    private List<TaskCompletionSource>? _retrySignals;
    private bool _closing;
    private bool _writerWaiting;

    // Guarded by _gate: the positions at which open groups began (HoldCommit); the writer takes no
    // operation past the oldest, so a group always commits whole.
    private readonly List<long> _holds = [];
    private Exception? _failure;

    // Written by the writer, read anywhere.
    private long _durable;
    private long _storedDeliveries;
    private long _committedOperations;
    private long _coalescedOperations;
    private long _commits;
    private bool _closed;

    static SqliteSessionStore()
    {
        // SQLite's default (serialized) mode locks a mutex around every call on a connection; the
        // store already uses its connection from one thread at a time (the writer; Load and Close
        // under _database), as ADO.NET connections must be anyway. Multi-thread mode drops those
        // locks (about 8 % of the writer's time). SQLite accepts it only before its first use in
        // the process; if something opened a database earlier, it says no and nothing changes.
        SQLitePCL.Batteries_V2.Init();
        _ = raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD);
    }

    /// <summary>
    /// Opens (or creates) the database at <see cref="SqliteStoreOptions.Path"/>, migrates its schema
    /// and starts the writer. Throws <see cref="StoreUnavailableException"/> when the file cannot be
    /// used (not a SQLite database, corrupt, a newer schema, no permission); such a file is left untouched.
    /// </summary>
    public SqliteSessionStore(SqliteStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, "options.Path");
        if (options.FlushInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must be positive.");
        }

        Path = System.IO.Path.GetFullPath(options.Path);
        _walPath = Path + "-wal";
        Durability = options.Durability;
        _sync = options.Durability == StoreDurability.Sync;
        _flushMilliseconds = (int)Math.Clamp(Math.Ceiling(options.FlushInterval.TotalMilliseconds), 1, int.MaxValue);
        _logger = logger ?? NullLogger.Instance;

        (_connection, _lock) = StoreOpener.Open(Path, options, _logger);
        try
        {
            _writer = new BatchWriter(_connection);
            _storedDeliveries = _writer.StoredDeliveries;
        }
        catch (SqliteException exception)
        {
            _connection.Dispose();
            _lock.Dispose();
            throw new StoreUnavailableException(Path, $"SQLite refused it: {exception.Message}", exception);
        }

        StoreLog.Opened(_logger, Path, SchemaVersion, Durability, DatabaseBytes);
        var thread = new Thread(RunWriter)
        {
            IsBackground = true,
            Name = "Manta SQLite writer",
        };
        thread.Start();
    }

    /// <summary>The database file (full path).</summary>
    public string Path { get; }

    /// <summary>When a write counts as durable.</summary>
    public StoreDurability Durability { get; }

    /// <inheritdoc />
    public bool AcknowledgesAfterCommit => _sync;

    /// <inheritdoc />
    public long Position => Volatile.Read(ref _position);

    /// <summary>Position of the last operation committed (0 before any).</summary>
    public long DurablePosition => Volatile.Read(ref _durable);

    /// <summary>Bytes the database takes on disk: the file and its write-ahead log.</summary>
    public long DatabaseBytes => FileLength(Path) + FileLength(_walPath);

    /// <summary>Delivery rows in the database (maintained in memory; approximate when a delivery id is added twice).</summary>
    public long StoredDeliveries => Volatile.Read(ref _storedDeliveries);

    /// <summary>Operations applied to the database by committed transactions.</summary>
    public long CommittedOperations => Volatile.Read(ref _committedOperations);

    /// <summary>Operations committed without touching the database because a later operation of their batch undid or superseded them.</summary>
    public long CoalescedOperations => Volatile.Read(ref _coalescedOperations);

    /// <summary>Transactions committed (a batch that undid itself entirely needs none).</summary>
    public long Commits => Volatile.Read(ref _commits);

    /// <inheritdoc />
    public StoredState Load()
    {
        lock (_database)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            var state = StoreLoader.Load(_connection, out var orphans, out var deliveries);
            if (orphans > 0)
            {
                StoreLog.OrphanRows(_logger, Path, orphans);
            }

            StoreLog.Loaded(_logger, Path, state.Sessions.Count, deliveries, state.Retained.Count);
            return state;
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A field the operation's kind needs is missing (its message is released).</exception>
    /// <exception cref="ObjectDisposedException">The store is closing (the message is released).</exception>
    public void Write(in StoreOperation operation)
    {
        Validate(in operation);
        lock (_gate)
        {
            if (!_closing)
            {
                _pending.Add(operation);
                Volatile.Write(ref _position, _position + 1);
                if (_writerWaiting)
                {
                    _writerWaiting = false;
                    Monitor.Pulse(_gate);
                }
                else if (_pending.Count == EarlyFlushOperations && !_sync)
                {
                    Monitor.Pulse(_gate);
                }

                return;
            }
        }

        operation.Message?.Release();
        throw new ObjectDisposedException(nameof(SqliteSessionStore), "The store is closing; nothing more can be written.");
    }

    /// <inheritdoc />
    public ValueTask WhenDurableAsync(long position)
    {
        if (!_sync || position <= Volatile.Read(ref _durable))
        {
            return default;
        }

        lock (_gate)
        {
            if (position <= _durable)
            {
                return default;
            }

            if (_failure is not null)
            {
                return ValueTask.FromException(_failure);
            }

            // Positions up to _takenEnd are in the batch being committed; later ones go in the next.
            if (position > _takenEnd)
            {
                _nextMax = Math.Max(_nextMax, position);
            }

            var signal = position <= _takenEnd
                ? _takenSignal ??= NewSignal()
                : _nextSignal ??= NewSignal();
            return new ValueTask(signal.Task);
        }
    }

    /// <inheritdoc />
    public long HoldCommit()
    {
        lock (_gate)
        {
            _holds.Add(_position);
            return _position;
        }
    }

    /// <inheritdoc />
    public void ReleaseCommit(long token)
    {
        lock (_gate)
        {
            _holds.Remove(token);
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>How many pending operations the writer may take: none past the start of the oldest open group. Caller holds _gate.</summary>
    private int Takeable()
    {
        if (_holds.Count == 0)
        {
            return _pending.Count;
        }

        var oldest = long.MaxValue;
        foreach (var start in _holds)
        {
            oldest = Math.Min(oldest, start);
        }

        return (int)Math.Clamp(oldest - _takenEnd, 0, _pending.Count);
    }

    /// <summary>Commits everything written, checkpoints the write-ahead log into the file and closes it.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (!_closing)
            {
                _closing = true;
                Monitor.PulseAll(_gate);
            }
        }

        await _writerExited.Task.ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static long FileLength(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static void Validate(in StoreOperation operation)
    {
        var missing = operation.Kind switch
        {
            StoreOperationKind.RetainedSet => operation.Message is null ? nameof(StoreOperation.Message) : null,
            StoreOperationKind.RetainedRemoved => operation.TopicFilter is null ? nameof(StoreOperation.TopicFilter) : null,
            _ when operation.ClientId is null => nameof(StoreOperation.ClientId),
            StoreOperationKind.SubscriptionSaved => operation.Subscription is null ? nameof(StoreOperation.Subscription) : null,
            StoreOperationKind.SubscriptionRemoved => operation.TopicFilter is null ? nameof(StoreOperation.TopicFilter) : null,
            StoreOperationKind.WillSaved => operation.Will is null ? nameof(StoreOperation.Will) : null,
            StoreOperationKind.SessionSaved or StoreOperationKind.SessionRemoved
                or StoreOperationKind.DeliveryAdded or StoreOperationKind.DeliverySent
                or StoreOperationKind.DeliveryReleased or StoreOperationKind.DeliveryRemoved
                or StoreOperationKind.InboundQos2Added or StoreOperationKind.InboundQos2Removed
                or StoreOperationKind.WillRemoved => null,
            _ => nameof(StoreOperation.Kind),
        };
        if (missing is not null)
        {
            operation.Message?.Release();
            throw new ArgumentException($"A {operation.Kind} operation needs a valid {missing}.", nameof(operation));
        }
    }

    private void RunWriter()
    {
        var failures = 0;
        var closingFailures = 0;
        try
        {
            while (true)
            {
                var closing = WaitAndTake(failures);
                if (_batch.Count > 0)
                {
                    try
                    {
                        Commit();
                    }
                    catch (Exception exception)
                    {
                        failures++;
                        if (closing && ++closingFailures >= ClosingAttempts)
                        {
                            GiveUp(exception);
                            break;
                        }

                        StoreLog.CommitFailed(_logger, exception, Path, _batch.Count, failures, RetryMilliseconds(failures));
                        if (closing)
                        {
                            // Nothing can be written any more, so no waiting for work either: only the pause.
                            Thread.Sleep(RetryMilliseconds(failures));
                        }

                        continue;
                    }

                    if (failures > 0)
                    {
                        StoreLog.CommitRecovered(_logger, Path, failures);
                        failures = 0;
                    }
                }

                if (closing)
                {
                    // Write refuses once closing is set, so the take above had everything.
                    break;
                }
            }
        }
        catch (Exception exception)
        {
            StoreLog.WriterCrashed(_logger, exception, Path);
            GiveUp(exception);
        }
        finally
        {
            Close();
            _writerExited.TrySetResult();
        }
    }

    /// <summary>Waits for work (or the flush interval, or a retry pause), then takes what is pending into the batch. Returns whether the store is closing.</summary>
    private bool WaitAndTake(int failures)
    {
        lock (_gate)
        {
            if (!_closing)
            {
                if (failures > 0)
                {
                    Monitor.Wait(_gate, RetryMilliseconds(failures));
                }
                else if (_sync)
                {
                    while (Takeable() == 0 && !_closing)
                    {
                        _writerWaiting = true;
                        Monitor.Wait(_gate);
                    }

                    _writerWaiting = false;
                }
                else if (_pending.Count < EarlyFlushOperations)
                {
                    Monitor.Wait(_gate, _flushMilliseconds);
                }
            }

            var takeable = _closing ? _pending.Count : Takeable();
            if (takeable < _pending.Count)
            {
                // An open group: only what was written before it; the rest waits for the next take.
                _batch.AddRange(CollectionsMarshal.AsSpan(_pending)[..takeable]);
                _pending.RemoveRange(0, takeable);
                _takenEnd += takeable;
                if (_nextSignal is not null && _nextMax <= _takenEnd && _takenSignal is null && _retrySignals is null)
                {
                    (_takenSignal, _nextSignal, _nextMax) = (_nextSignal, null, 0);
                }

                return _closing;
            }

            if (_pending.Count > 0)
            {
                if (_batch.Count == 0)
                {
                    (_batch, _pending) = (_pending, _batch);
                }
                else
                {
                    // A retry: the failed operations first, then the newer ones, one transaction.
                    _batch.AddRange(_pending);
                    _pending.Clear();
                }
            }

            _takenEnd = _position;
            if (_nextSignal is not null)
            {
                if (_takenSignal is null)
                {
                    _takenSignal = _nextSignal;
                }
                else
                {
                    (_retrySignals ??= []).Add(_nextSignal);
                }

                _nextSignal = null;
                _nextMax = 0;
            }

            return _closing;
        }
    }

    private static int RetryMilliseconds(int failures)
        => failures >= 10 ? LastRetryMilliseconds : Math.Min(LastRetryMilliseconds, FirstRetryMilliseconds << (failures - 1));

    /// <summary>Applies and commits the batch, then tells the waiters and releases the messages.</summary>
    private void Commit()
    {
        var batch = CollectionsMarshal.AsSpan(_batch);
        long deliveries;
        int skipped;
        lock (_database)
        {
            var flags = _coalescer.Coalesce(batch);
            skipped = CountSkipped(flags);

            // When the batch undid itself entirely there is nothing to write, not even a transaction.
            deliveries = skipped == batch.Length ? 0 : _writer.Apply(batch, flags);
        }

        Interlocked.Add(ref _storedDeliveries, deliveries);
        Interlocked.Add(ref _committedOperations, batch.Length - skipped);
        Interlocked.Add(ref _coalescedOperations, skipped);
        if (skipped != batch.Length)
        {
            Interlocked.Increment(ref _commits);
        }

        TaskCompletionSource? signal;
        List<TaskCompletionSource>? retrySignals;
        lock (_gate)
        {
            Volatile.Write(ref _durable, _takenEnd);
            signal = _takenSignal;
            retrySignals = _retrySignals;
            _takenSignal = null;
            _retrySignals = null;
        }

        signal?.TrySetResult();
        if (retrySignals is not null)
        {
            foreach (var retrySignal in retrySignals)
            {
                retrySignal.TrySetResult();
            }
        }

        ReleaseBatch();
    }

    private static int CountSkipped(ReadOnlySpan<byte> flags)
    {
        var skipped = 0;
        foreach (var flag in flags)
        {
            skipped += flag & BatchCoalescer.Skip;
        }

        return skipped;
    }

    private void ReleaseBatch()
    {
        foreach (ref readonly var operation in CollectionsMarshal.AsSpan(_batch))
        {
            try
            {
                operation.Message?.Release();
            }
            catch (InvalidOperationException exception)
            {
                // Released more often than referenced: a bug elsewhere. It must not make the
                // writer apply a committed batch again.
                StoreLog.ReleaseFailed(_logger, exception, Path);
            }
        }

        // Clears the references too, for the GC.
        _batch.Clear();
    }

    /// <summary>The store cannot commit what is pending any more: waiters fail, messages go back.</summary>
    private void GiveUp(Exception exception)
    {
        var failure = new StoreUnavailableException(Path, $"operations could not be committed: {exception.Message}", exception);
        TaskCompletionSource? taken;
        TaskCompletionSource? next;
        List<TaskCompletionSource>? retrySignals;
        int lost;
        lock (_gate)
        {
            _failure = failure;
            _closing = true;
            _batch.AddRange(_pending);
            _pending.Clear();
            lost = _batch.Count;
            taken = _takenSignal;
            next = _nextSignal;
            retrySignals = _retrySignals;
            _takenSignal = _nextSignal = null;
            _retrySignals = null;
        }

        if (lost > 0)
        {
            StoreLog.OperationsLost(_logger, exception, Path, lost);
        }

        taken?.TrySetException(failure);
        next?.TrySetException(failure);
        if (retrySignals is not null)
        {
            foreach (var signal in retrySignals)
            {
                signal.TrySetException(failure);
            }
        }

        ReleaseBatch();
    }

    private void Close()
    {
        lock (_database)
        {
            _closed = true;
            try
            {
                _writer.Dispose();
                using (var command = _connection.CreateCommand())
                {
                    // Moves the log into the database file and truncates it: the file alone is the store.
                    command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    command.ExecuteNonQuery();
                }
            }
            catch (SqliteException exception)
            {
                StoreLog.CloseFailed(_logger, exception, Path);
            }
            finally
            {
                _connection.Dispose();
                _lock.Dispose();
            }
        }

        StoreLog.Closed(_logger, Path, Commits, CommittedOperations, CoalescedOperations);
    }
}
