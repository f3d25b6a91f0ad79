using Manta.Storage.Sqlite.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>When WhenDurableAsync completes, and that what it reported durable survives.</summary>
public sealed class DurabilityTests
{
    private static bool CompletedAtOnce(ValueTask wait) => wait.IsCompletedSuccessfully;

    [Fact]
    public async Task Sync_durability_completes_only_once_the_commit_is_done()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using var store = Stores.Open(path);
        store.Load();
        Assert.True(store.AcknowledgesAfterCommit);

        // Another connection holds the write lock: the writer cannot commit until it lets go.
        using (var blocker = Stores.Connect(path))
        using (var transaction = blocker.BeginTransaction(deferred: false))
        {
            store.Write(Ops.SessionSaved("c"));
            var durable = store.WhenDurableAsync(store.Position).AsTask();
            await Task.Delay(300);
            Assert.False(durable.IsCompleted);
            Assert.Equal(0, store.DurablePosition);
            await transaction.CommitAsync();
            await durable.WaitAsync(Stores.Patience);
        }

        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM sessions"));
        Assert.Equal(1, store.DurablePosition);
    }

    [Fact]
    public async Task A_held_group_commits_whole_after_its_release_and_what_came_before_it_commits_at_once()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using var store = Stores.Open(path);
        store.Load();
        store.Write(Ops.SessionSaved("before"));
        var hold = store.HoldCommit();
        store.Write(Ops.SessionSaved("grouped-1"));
        await store.WhenDurableAsync(1).AsTask().WaitAsync(Stores.Patience);

        // Written from another thread while the group is open: it joins the group.
        await Task.Run(() => store.Write(Ops.SessionSaved("grouped-2")));
        var grouped = store.WhenDurableAsync(store.Position).AsTask();
        await Task.Delay(200);
        Assert.False(grouped.IsCompleted);
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM sessions"));

        store.ReleaseCommit(hold);
        await grouped.WaitAsync(Stores.Patience);
        Assert.Equal(3, Stores.Scalar(path, "SELECT count(*) FROM sessions"));
    }

    [Fact]
    public async Task Many_waiters_share_the_commit_and_a_durable_position_completes_at_once()
    {
        using var directory = new TempDirectory();
        await using var store = Stores.Open(directory.File());
        store.Load();
        Assert.True(CompletedAtOnce(store.WhenDurableAsync(0)));

        var waits = new List<Task>();
        for (var i = 0; i < 1000; i++)
        {
            store.Write(Ops.SessionSaved($"c{i}"));
            waits.Add(store.WhenDurableAsync(store.Position).AsTask());
        }

        await Task.WhenAll(waits).WaitAsync(Stores.Patience);
        Assert.Equal(1000, store.DurablePosition);
        Assert.True(store.Commits < 1000, $"{store.Commits} commits for 1000 operations: no group commit");
        Assert.True(CompletedAtOnce(store.WhenDurableAsync(500)));
        Assert.True(CompletedAtOnce(store.WhenDurableAsync(store.Position)));
    }

    [Fact]
    public async Task Periodic_durability_completes_at_once_and_commits_within_a_few_intervals()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using var store = Stores.Open(path, StoreDurability.Periodic, TimeSpan.FromMilliseconds(50));
        store.Load();
        Assert.False(store.AcknowledgesAfterCommit);

        store.Write(Ops.SessionSaved("c"));
        Assert.True(CompletedAtOnce(store.WhenDurableAsync(store.Position)));

        // No timing assertion: only a bound far above the interval, for a hung writer.
        var deadline = DateTime.UtcNow + Stores.Patience;
        while (Stores.Scalar(path, "SELECT count(*) FROM sessions") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the periodic writer never committed");
            await Task.Delay(10);
        }

        Assert.Equal(1, store.DurablePosition);
    }

    [Fact]
    public async Task A_failing_commit_is_logged_and_retried_and_reports_nothing_durable_until_it_succeeds()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var logger = new ListLogger();
        await using var store = Stores.Open(path, logger: logger, busyTimeout: TimeSpan.FromMilliseconds(20));
        store.Load();
        store.Write(Ops.SessionSaved("before"));
        await store.WhenDurableAsync(store.Position);

        Task durable;
        using (var blocker = Stores.Connect(path))
        using (var transaction = blocker.BeginTransaction(deferred: false))
        {
            store.Write(Ops.SessionSaved("c"));
            store.Write(Ops.DeliveryAdded("c", 1, Messages.Create("t", [1])));
            durable = store.WhenDurableAsync(store.Position).AsTask();

            var deadline = DateTime.UtcNow + Stores.Patience;
            while (logger.Entries.Count(e => e.Id.Id == 4010) < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "no failed commit was logged");
                await Task.Delay(10);
            }

            // Written while the batch fails: retried together with it.
            store.Write(Ops.SessionSaved("d"));
            Assert.False(durable.IsCompleted);
            Assert.Equal(1, store.DurablePosition);
            await transaction.CommitAsync();
        }

        await durable.WaitAsync(Stores.Patience);
        await store.WhenDurableAsync(store.Position).AsTask().WaitAsync(Stores.Patience);
        Assert.Contains(logger.Entries, e => e.Id.Id == 4010 && e.Level == LogLevel.Error && e.Message.Contains(path, StringComparison.Ordinal));

        // The recovery is logged by the writer after it told the waiters.
        var logged = DateTime.UtcNow + Stores.Patience;
        while (!logger.Entries.Any(e => e.Id.Id == 4011))
        {
            Assert.True(DateTime.UtcNow < logged, "the recovery was not logged");
            await Task.Delay(10);
        }

        Assert.Equal(3, Stores.Scalar(path, "SELECT count(*) FROM sessions"));
        Assert.Equal(1, store.StoredDeliveries);
    }

    [Fact]
    public async Task What_was_reported_durable_survives_a_process_that_dies_without_closing_the_store()
    {
        using var directory = new TempDirectory();
        var path = directory.File();

        // The "dead" store is never disposed: its connection stays open and nothing is checkpointed.
        var dead = Stores.Open(path);
        dead.Load();
        dead.Write(Ops.SessionSaved("c"));
        dead.Write(Ops.DeliveryAdded("c", 1, Messages.Create("t", [1, 2])));
        dead.Write(Ops.RetainedSet(Messages.Create("r", [3], retain: true)));
        await dead.WhenDurableAsync(dead.Position);
        Assert.True(File.Exists(path + "-wal"));

        const string Expected =
            "session c expiry=3600 version=V500 disconnected=null\n"
            + "  delivery 1 qos=AtLeastOnce retain=False ids=null packet=0 released=False message=(t payload=0102 properties= qos=AtLeastOnce retain=False expires=null)\n"
            + "retained (r payload=03 properties= qos=AtLeastOnce retain=True expires=null)\n";

        // What a crash leaves on disk: the file and its log, without the shared-memory index
        // (rebuilt from the log on open). Copied while the dead store is idle.
        using var copy = new TempDirectory();
        File.Copy(path, copy.File());
        File.Copy(path + "-wal", copy.File() + "-wal");
        Assert.Equal(Expected, StateText.Of(await Stores.ReloadAsync(copy.File())));

        // The same file cannot be opened again while the dead store still holds it (a process
        // that really died holds nothing: its lock goes with it), and the refusal touches nothing.
        var before = Stores.Sha256(path);
        var refused = Assert.Throws<StoreUnavailableException>(() => Stores.Open(path));
        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, Stores.Sha256(path));
        GC.KeepAlive(dead);
    }

    [Fact]
    public async Task Dispose_commits_what_is_pending_and_leaves_no_write_ahead_log()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var store = Stores.OneBatch(path);
        store.Load();
        store.Write(Ops.SessionSaved("c"));
        await store.DisposeAsync();
        await store.DisposeAsync(); // a second dispose does nothing

        Assert.Equal(1, store.DurablePosition);
        Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0);
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM sessions"));
        Assert.Throws<ObjectDisposedException>(() => store.Load());
    }

    [Fact]
    public async Task Database_bytes_count_the_file_and_its_log()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using var store = Stores.Open(path);
        store.Load();
        var empty = store.DatabaseBytes;
        Assert.True(empty > 0);
        for (var i = 0; i < 100; i++)
        {
            store.Write(Ops.RetainedSet(Messages.Create($"r/{i}", new byte[1000], retain: true)));
        }

        await store.WhenDurableAsync(store.Position);
        Assert.True(store.DatabaseBytes > empty + 100_000);
    }

    [Fact]
    public async Task Write_and_a_wait_on_a_durable_position_allocate_nothing()
    {
        using var directory = new TempDirectory();
        await using var store = Stores.Open(directory.File());
        store.Load();
        const int Operations = 1000; // below the batch lists' initial capacity: no list grows
        var message = Messages.Create("t", [1]);
        for (var i = 0; i < 10; i++)
        {
            message.AddReference();
            store.Write(Ops.DeliveryAdded("c", i, message));
            await store.WhenDurableAsync(store.Position);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Operations; i++)
        {
            message.AddReference();
            store.Write(Ops.DeliveryAdded("c", 100 + i, message));
        }

        var written = GC.GetAllocatedBytesForCurrentThread() - before;
        await store.WhenDurableAsync(store.Position);

        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Operations; i++)
        {
            if (!CompletedAtOnce(store.WhenDurableAsync(store.Position)))
            {
                Assert.Fail("a durable position was waited for");
            }
        }

        var waited = GC.GetAllocatedBytesForCurrentThread() - before;
        message.Release();

        // Anything allocated per call would cost at least 24 bytes each.
        Assert.True(written < Operations, $"{written} bytes allocated by {Operations} writes");
        Assert.True(waited < Operations, $"{waited} bytes allocated by {Operations} waits on a durable position");
    }
}
