namespace Manta.Storage.Sqlite;

/// <summary>When an operation written to the store counts as durable.</summary>
public enum StoreDurability
{
    /// <summary>
    /// After its transaction is committed and synced to disk (<c>synchronous=FULL</c>): a QoS 1/2
    /// publish is acknowledged only then, so <c>kill -9</c> or a power cut loses nothing acknowledged.
    /// Many operations share one commit (group commit).
    /// </summary>
    Sync,

    /// <summary>
    /// At once: operations are committed every <see cref="SqliteStoreOptions.FlushInterval"/>
    /// (<c>synchronous=NORMAL</c>). A crash of the process loses at most the last interval; a power
    /// cut may lose a little more.
    /// </summary>
    Periodic,
}
