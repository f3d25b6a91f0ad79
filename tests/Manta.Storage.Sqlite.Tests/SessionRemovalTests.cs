using System.Reflection;
using Manta.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>
/// Deliveries are keyed by id alone, without an index on the client; the store knows which ids each
/// client has. A removed session's deliveries must go in every case: after a reopen (the ids are
/// read back from the file) and after a transaction that failed half way and was retried.
/// </summary>
public sealed class SessionRemovalTests
{
    [Fact]
    public async Task A_session_removed_after_a_reopen_loses_the_deliveries_written_before_it()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("gone"));
            store.Write(Ops.SessionSaved("kept"));
            store.Write(Ops.DeliveryAdded("gone", 1, Messages.Create("t", [1])));
            store.Write(Ops.DeliveryAdded("kept", 2, Messages.Create("t", [2])));
            store.Write(Ops.DeliveryAdded("gone", 3, Messages.Create("t", [3])));
        }

        await using (var store = Stores.Open(path))
        {
            Assert.Equal(3, store.Load().LastDeliveryId);
            store.Write(Ops.SessionRemoved("gone"));
            await store.WhenDurableAsync(store.Position);
            Assert.Equal(1, store.StoredDeliveries);
        }

        Assert.Equal(0, Stores.Scalar(path, "SELECT count(*) FROM deliveries WHERE client_id = 'gone'"));
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM deliveries WHERE client_id = 'kept'"));
    }

    [Fact]
    public async Task A_session_removal_in_a_transaction_that_fails_half_way_is_applied_whole_by_the_retry()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using var store = Stores.Open(path);
        store.Load();
        store.Write(Ops.SessionSaved("gone"));
        store.Write(Ops.SessionSaved("kept"));
        store.Write(Ops.DeliveryAdded("gone", 1, Messages.Create("t", new byte[100])));
        store.Write(Ops.DeliveryAdded("gone", 2, Messages.Create("t", new byte[100])));
        await store.WhenDurableAsync(store.Position);

        // The file may not grow: the removal is applied, then the inserts after it fail (SQLITE_FULL)
        // and the whole transaction is rolled back.
        var connection = StoreConnection(store);
        var pages = Pragma(connection, "page_count");
        Pragma(connection, $"max_page_count = {pages}");
        var group = store.HoldCommit();
        store.Write(Ops.SessionRemoved("gone"));
        for (var id = 3; id < 103; id++)
        {
            store.Write(Ops.DeliveryAdded("kept", id, Messages.Create("t", new byte[2000])));
        }

        store.ReleaseCommit(group);

        var durable = store.WhenDurableAsync(store.Position).AsTask();
        await Task.Delay(300);
        Assert.False(durable.IsCompleted, "the transaction did not fail: the test proves nothing");
        Pragma(connection, "max_page_count = 1073741823");
        await durable.WaitAsync(Stores.Patience);

        Assert.Equal(0, Stores.Scalar(path, "SELECT count(*) FROM deliveries WHERE client_id = 'gone'"));
        Assert.Equal(100, Stores.Scalar(path, "SELECT count(*) FROM deliveries WHERE client_id = 'kept'"));
    }

    /// <summary>The store's own connection (max_page_count holds for one connection only) and the lock its writer holds while it uses it.</summary>
    private static (SqliteConnection Connection, object Gate) StoreConnection(SqliteSessionStore store)
        => ((SqliteConnection)Field(store, "_connection"), Field(store, "_database"));

    private static object Field(SqliteSessionStore store, string name)
        => typeof(SqliteSessionStore).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(store)!;

    /// <summary>Runs a pragma on the store's connection, never while the writer is using it (SQLite may be in multi-thread mode).</summary>
    private static long Pragma((SqliteConnection Connection, object Gate) store, string pragma)
    {
        lock (store.Gate)
        {
            using var command = store.Connection.CreateCommand();
            command.CommandText = $"PRAGMA {pragma}";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
