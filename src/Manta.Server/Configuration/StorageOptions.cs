namespace Manta.Server.Configuration;

/// <summary>Where and how durable state is kept (configuration section <c>Manta:Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Sqlite (default: <c>{DataDirectory}/manta.db</c>) or Memory (nothing survives a restart).</summary>
    public StorageMode Mode { get; set; } = StorageMode.Sqlite;

    /// <summary>Sync (default): a QoS 1/2 PUBLISH is acknowledged once what it stored is committed. Periodic: committed every <see cref="FlushInterval"/>.</summary>
    public Storage.Sqlite.StoreDurability Durability { get; set; } = Storage.Sqlite.StoreDurability.Sync;

    /// <summary>How often Periodic durability commits. Default 100 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
