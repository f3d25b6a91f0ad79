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
