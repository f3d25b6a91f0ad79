namespace Manta.Server.Configuration;

/// <summary>Where durable state is kept.</summary>
public enum StorageMode
{
    /// <summary>An embedded SQLite database in the data directory.</summary>
    Sqlite,

    /// <summary>Nowhere: everything is lost when the process stops.</summary>
    Memory,
}
