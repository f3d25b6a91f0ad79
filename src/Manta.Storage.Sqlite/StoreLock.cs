namespace Manta.Storage.Sqlite;

/// <summary>
/// Keeps a second Manta off a database file that one is using: an exclusive lock on a file beside
/// it (<c>manta.db.lock</c>), held from before the database is opened until the store closes,
/// and released by the operating system when the process dies, so a restart after a crash is
/// never refused. The database itself stays open to other readers (a sqlite3 shell, a backup).
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>The lock file of <paramref name="databasePath"/>.</summary>
    public static string PathOf(string databasePath) => databasePath + ".lock";

    /// <summary>Takes the lock; throws <see cref="StoreUnavailableException"/> when another store holds it.</summary>
    public static StoreLock Acquire(string databasePath)
    {
        var path = PathOf(databasePath);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on
            // Windows; either way a second open fails at once instead of waiting.
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StoreUnavailableException(databasePath, $"it is in use by another process (another Manta on the same data directory?): {path} is locked", exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new StoreUnavailableException(databasePath, $"its lock file {path} cannot be created or opened: {exception.Message}", exception);
        }
    }

    public void Dispose() => _file.Dispose();
}
