namespace Manta.Storage.Sqlite;

/// <summary>Options of <see cref="SqliteSessionStore"/>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file, e.g. <c>&lt;data dir&gt;/manta.db</c>; created (with its directory) when missing. Required.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>When a write counts as durable. Default <see cref="StoreDurability.Sync"/>.</summary>
    public StoreDurability Durability { get; set; } = StoreDurability.Sync;

    /// <summary>How often the writer commits in <see cref="StoreDurability.Periodic"/> mode. Default 100 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a commit waits for a write lock held by another connection before it fails (and is
    /// retried). Default 5 s. Only another process (or a tool) opening the file can hold that lock.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
