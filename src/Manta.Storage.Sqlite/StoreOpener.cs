using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Manta.Storage.Sqlite;

/// <summary>
/// Opens the database file for the store, or says exactly why it cannot. An existing file is first
/// examined without writing anything (its header read as a plain file, then a read-only SQLite
/// connection for the schema version and <c>PRAGMA quick_check</c>), so a file that is refused
/// stays byte for byte as it was: nothing here deletes, truncates or recreates a file.
/// </summary>
internal static class StoreOpener
{
    // Section 1.3 of the file format: every SQLite database starts with these 16 bytes, and the
    // header is 100 bytes long.
    private const int HeaderLength = 100;

    // Keeps the write-ahead log from staying at its high-water mark after a burst (bytes).
    private const long JournalSizeLimit = 64L * 1024 * 1024;

    private static ReadOnlySpan<byte> Magic => "SQLite format 3\0"u8;

    /// <summary>
    /// Takes the file's lock, then opens (creating when missing) and migrates the database; throws
    /// <see cref="StoreUnavailableException"/> when it cannot be used. The caller disposes the lock
    /// after the connection.
    /// </summary>
    public static (SqliteConnection Connection, StoreLock Lock) Open(string path, SqliteStoreOptions options, ILogger logger)
    {
        if (Directory.Exists(path))
        {
            throw new StoreUnavailableException(path, "the path is a directory, not a database file", null);
        }

        CreateDirectory(path);
        var storeLock = StoreLock.Acquire(path);
        try
        {
            return (OpenLocked(path, options, logger), storeLock);
        }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }

    private static SqliteConnection OpenLocked(string path, SqliteStoreOptions options, ILogger logger)
    {
        var exists = File.Exists(path);
        if (exists)
        {
            Examine(path);
        }

        var connection = new SqliteConnection(ConnectionString(path, exists ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate));
        try
        {
            connection.Open();
            var handle = connection.Handle!;
            if (raw.sqlite3_db_readonly(handle, "main") == 1)
            {
                throw new StoreUnavailableException(path, "the file is read-only for this process (no write permission)", null);
            }

            raw.sqlite3_busy_timeout(handle, (int)Math.Clamp(options.BusyTimeout.TotalMilliseconds, 0, int.MaxValue));
            var mode = Scalar(connection, "PRAGMA journal_mode=WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                StoreLog.NoWal(logger, path, mode);
            }

            Scalar(connection, options.Durability == StoreDurability.Sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            Scalar(connection, $"PRAGMA journal_size_limit={JournalSizeLimit}");
            Scalar(connection, "PRAGMA temp_store=MEMORY");

            var from = SqliteSchema.Migrate(connection);
            if (from != SqliteSchema.CurrentVersion)
            {
                StoreLog.Migrated(logger, path, from, SqliteSchema.CurrentVersion);
            }

            return connection;
        }
        catch (SqliteException exception)
        {
            connection.Dispose();
            throw new StoreUnavailableException(path, $"SQLite refused it: {exception.Message}", exception);
        }
        catch (InvalidOperationException exception)
        {
            // A newer schema that appeared between the examination and the migration.
            connection.Dispose();
            throw new StoreUnavailableException(path, exception.Message, exception);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string ConnectionString(string path, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = mode,
        Cache = SqliteCacheMode.Private,

        // The store holds its one connection for its lifetime; a pooled one would keep the file
        // open after DisposeAsync.
        Pooling = false,
    }.ToString();

    private static void CreateDirectory(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException(path, $"its directory cannot be created: {exception.Message}", exception);
        }
    }

    /// <summary>Checks an existing file without writing to it.</summary>
    private static void Examine(string path)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        long length;
        int read;
        try
        {
            // Opened for writing as well (nothing is written), so that a file this process may not
            // write is refused before SQLite creates its -wal and -shm files beside it.
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            length = file.Length;
            read = file.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new StoreUnavailableException(
                path,
                CanRead(path) ? "the file is read-only for this process (no write permission)" : "permission denied: the file cannot be read",
                exception);
        }
        catch (IOException exception)
        {
            throw new StoreUnavailableException(path, $"the file cannot be read: {exception.Message}", exception);
        }

        if (length == 0)
        {
            // SQLite itself creates an empty file for a new database: version 0, migrated below.
            return;
        }

        if (read < HeaderLength || !header.StartsWith(Magic))
        {
            throw new StoreUnavailableException(path, $"it is not a SQLite database (the first {HeaderLength} bytes are not a SQLite header)", null);
        }

        try
        {
            using var connection = new SqliteConnection(ConnectionString(path, SqliteOpenMode.ReadOnly));
            connection.Open();
            var version = SqliteSchema.ReadVersion(connection);
            if (version > SqliteSchema.CurrentVersion)
            {
                throw new StoreUnavailableException(path, SqliteSchema.NewerVersion(version), null);
            }

            var problems = QuickCheck(connection);
            if (problems is not null)
            {
                throw new StoreUnavailableException(path, $"the database is corrupt (quick_check: {problems})", null);
            }
        }
        catch (SqliteException exception)
        {
            throw new StoreUnavailableException(path, $"the database cannot be read: {exception.Message}", exception);
        }
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Null when the database is sound, else the first problems found.</summary>
    private static string? QuickCheck(SqliteConnection connection)
    {
        const int MaximumReported = 5;
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA quick_check({MaximumReported})";
        using var reader = command.ExecuteReader();
        var problems = new List<string>();
        while (reader.Read())
        {
            problems.Add(reader.IsDBNull(0) ? "(null)" : reader.GetString(0));
        }

        return problems is ["ok"] ? null : problems.Count == 0 ? "no result" : string.Join("; ", problems);
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
