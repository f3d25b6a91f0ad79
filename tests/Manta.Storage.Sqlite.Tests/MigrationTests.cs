using Manta.Storage.Sqlite.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>The schema is versioned in <c>PRAGMA user_version</c> and brought up to date at start-up.</summary>
public sealed class MigrationTests
{
    private static readonly string[] Tables = ["sessions", "subscriptions", "deliveries", "inbound_qos2", "wills", "retained"];

    [Fact]
    public async Task An_empty_file_created_by_sqlite_is_migrated_to_the_current_version()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        using (Stores.Connect(path, SqliteOpenMode.ReadWriteCreate))
        {
        }

        Assert.Equal(0, new FileInfo(path).Length);
        await using (var store = Stores.Open(path))
        {
            Assert.Empty(store.Load().Sessions);
        }

        AssertCurrent(path);
    }

    [Fact]
    public async Task A_database_at_version_0_keeps_what_it_had_and_gains_the_tables()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        using (var connection = Stores.Connect(path, SqliteOpenMode.ReadWriteCreate))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('kept');";
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, Stores.Scalar(path, "PRAGMA user_version"));
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("c"));
            await store.WhenDurableAsync(store.Position);
        }

        AssertCurrent(path);
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM notes"));
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM sessions"));
        Assert.Equal("wal", JournalMode(path));
    }

    [Fact]
    public async Task A_new_file_is_created_at_the_current_version_in_wal_mode()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
        }

        AssertCurrent(path);
        Assert.Equal("wal", JournalMode(path));
    }

    [Fact]
    public async Task A_version_1_file_keeps_every_delivery_in_order_under_ids_unique_across_sessions()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        using (var connection = Stores.Connect(path, SqliteOpenMode.ReadWriteCreate))
        using (var command = connection.CreateCommand())
        {
            // What a Manta of schema version 1 wrote: delivery ids counted per session.
            command.CommandText = Version1Schema + """
                INSERT INTO sessions VALUES ('b', 60, 5, NULL), ('a', 60, 4, 1700000000000);
                INSERT INTO deliveries VALUES
                    ('b', 7, 'b/7', x'07', NULL, 1, 0, NULL, 1, 0, NULL, 0, 0),
                    ('a', 2, 'a/2', x'02', NULL, 2, 0, NULL, 2, 0, NULL, 9, 0),
                    ('b', 3, 'b/3', x'03', NULL, 1, 0, NULL, 1, 0, NULL, 4, 0),
                    ('a', 1, NULL, NULL, NULL, 0, 0, NULL, 2, 0, NULL, 8, 1);
                PRAGMA user_version = 1;
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using (var store = Stores.Open(path))
        {
            var state = store.Load();
            Assert.Equal(4, state.LastDeliveryId);
            var deliveries = state.Sessions.ToDictionary(s => s.ClientId, s => s.Deliveries);
            Assert.Equal([(1L, (ushort)8, true), (2L, (ushort)9, false)], deliveries["a"].Select(d => (d.Id, d.PacketId, d.Released)));
            Assert.Equal([(3L, "b/3"), (4L, "b/7")], deliveries["b"].Select(d => (d.Id, d.Message!.Topic)));

            // The next delivery of the broker continues after the highest id.
            store.Write(Ops.DeliveryAdded("a", 5, Messages.Create("a/5", [5])));
            store.Write(Ops.DeliveryRemoved("b", 3));
        }

        AssertCurrent(path);
        var reloaded = (await Stores.ReloadAsync(path)).Sessions.ToDictionary(s => s.ClientId, s => s.Deliveries.Select(d => d.Id));
        Assert.Equal([1L, 2L, 5L], reloaded["a"]);
        Assert.Equal([4L], reloaded["b"]);
    }

    // The schema of version 1 as it shipped; a fixture for the migration from it.
    private const string Version1Schema = """
        CREATE TABLE sessions (client_id TEXT NOT NULL PRIMARY KEY, expiry_interval INTEGER NOT NULL,
            protocol_version INTEGER NOT NULL, disconnected_at INTEGER);
        CREATE TABLE subscriptions (client_id TEXT NOT NULL, filter TEXT NOT NULL, qos INTEGER NOT NULL,
            no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL, retain_handling INTEGER NOT NULL,
            identifier INTEGER NOT NULL, PRIMARY KEY (client_id, filter));
        CREATE TABLE deliveries (client_id TEXT NOT NULL, id INTEGER NOT NULL, topic TEXT, payload BLOB,
            properties BLOB, message_qos INTEGER NOT NULL, message_retain INTEGER NOT NULL, expires_at INTEGER,
            qos INTEGER NOT NULL, retain INTEGER NOT NULL, subscription_ids BLOB, packet_id INTEGER NOT NULL,
            released INTEGER NOT NULL, PRIMARY KEY (client_id, id));
        CREATE TABLE inbound_qos2 (client_id TEXT NOT NULL, packet_id INTEGER NOT NULL,
            PRIMARY KEY (client_id, packet_id)) WITHOUT ROWID;
        CREATE TABLE wills (client_id TEXT NOT NULL PRIMARY KEY, topic TEXT NOT NULL, payload BLOB,
            qos INTEGER NOT NULL, retain INTEGER NOT NULL, properties TEXT, due_at INTEGER NOT NULL);
        CREATE TABLE retained (topic TEXT NOT NULL PRIMARY KEY, payload BLOB, properties BLOB,
            qos INTEGER NOT NULL, retain INTEGER NOT NULL, expires_at INTEGER);

        """;

    private static void AssertCurrent(string path)
    {
        Assert.Equal(SqliteSessionStore.SchemaVersion, Stores.Scalar(path, "PRAGMA user_version"));
        foreach (var table in Tables)
        {
            Assert.Equal(1, Stores.Scalar(path, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"));
        }
    }

    private static string JournalMode(string path)
    {
        using var connection = Stores.Connect(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return (string)command.ExecuteScalar()!;
    }
}
