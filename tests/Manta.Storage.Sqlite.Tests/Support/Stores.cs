using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Manta.Storage.Sqlite.Tests.Support;

internal static class Stores
{
    /// <summary>Generous bound for anything a test awaits: reached only when something is wrong.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static SqliteSessionStore Open(string path, StoreDurability durability = StoreDurability.Sync, TimeSpan? flushInterval = null, ILogger? logger = null, TimeSpan? busyTimeout = null)
    {
        var options = new SqliteStoreOptions { Path = path, Durability = durability };
        if (flushInterval is { } interval)
        {
            options.FlushInterval = interval;
        }

        if (busyTimeout is { } busy)
        {
            options.BusyTimeout = busy;
        }

        return new SqliteSessionStore(options, logger);
    }

    /// <summary>A store that commits nothing until it is disposed: everything written goes in one batch.</summary>
    public static SqliteSessionStore OneBatch(string path) => Open(path, StoreDurability.Periodic, TimeSpan.FromHours(1));

    /// <summary>Opens the file again, as the next start of the broker would, and loads it.</summary>
    public static async Task<Manta.Broker.Persistence.StoredState> ReloadAsync(string path)
    {
        await using var store = Open(path);
        return store.Load();
    }

    /// <summary>A plain connection to look into the file (no pooling: nothing stays open).</summary>
    public static SqliteConnection Connect(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static long Scalar(string path, string sql)
    {
        using var connection = Connect(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
