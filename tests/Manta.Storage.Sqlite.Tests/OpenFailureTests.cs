using Manta.Storage.Sqlite.Tests.Support;
using Xunit.Abstractions;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>
/// A file that cannot be used is refused with <see cref="StoreUnavailableException"/>, naming the
/// file and the reason, and is left byte for byte as it was.
/// </summary>
public sealed class OpenFailureTests(ITestOutputHelper output)
{
    [Fact]
    public void A_file_of_random_bytes_is_refused_and_left_untouched()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var bytes = new byte[8192];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var exception = RefusedUntouched(path);
        Assert.Contains("not a SQLite database", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_a_sqlite_header_and_garbage_after_it_is_refused_and_left_untouched()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var bytes = new byte[8192];
        new Random(2).NextBytes(bytes);
        "SQLite format 3\0"u8.CopyTo(bytes);
        File.WriteAllBytes(path, bytes);

        RefusedUntouched(path);
    }

    [Fact]
    public async Task A_truncated_database_is_refused_and_left_untouched()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("c"));
            for (var i = 0; i < 200; i++)
            {
                store.Write(Ops.RetainedSet(Messages.Create($"r/{i}", new byte[1000], retain: true)));
                store.Write(Ops.DeliveryAdded("c", i, Messages.Create($"d/{i}", new byte[500])));
            }

            await store.WhenDurableAsync(store.Position);
        }

        Assert.False(File.Exists(path + "-wal"));
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length / 2);
        }

        var exception = RefusedUntouched(path);
        output.WriteLine(exception.Message);
    }

    [Fact]
    public async Task A_database_of_a_newer_schema_is_refused_and_left_untouched()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("c"));
            await store.WhenDurableAsync(store.Position);
        }

        using (var connection = Stores.Connect(path))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"PRAGMA user_version = {SqliteSessionStore.SchemaVersion + 1}";
            await command.ExecuteNonQueryAsync();
        }

        var exception = RefusedUntouched(path);
        Assert.Contains($"schema version {SqliteSessionStore.SchemaVersion + 1} is newer", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_file_is_refused_and_left_untouched()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
        }

        var hash = Stores.Sha256(path);
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, UnixFileMode.None);
        try
        {
            if (CanRead(path))
            {
                // Root reads whatever the mode says: the case cannot be made here.
                output.WriteLine("Skipped: this process reads a file of mode 000 (it runs as root).");
                return;
            }

            var exception = Assert.Throws<StoreUnavailableException>(() => Stores.Open(path));
            Assert.Contains(path, exception.Message, StringComparison.Ordinal);
            Assert.Contains("permission denied", exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(path, mode);
        }

        Assert.Equal(hash, Stores.Sha256(path));
    }

    [Fact]
    public async Task A_read_only_file_is_refused_and_left_untouched_without_files_beside_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
        }

        var hash = Stores.Sha256(path);
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            if (CanWrite(path))
            {
                output.WriteLine("Skipped: this process writes a file of mode 444 (it runs as root).");
                return;
            }

            var exception = Assert.Throws<StoreUnavailableException>(() => Stores.Open(path));
            Assert.Contains(path, exception.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", exception.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(path + "-wal"));
            Assert.False(File.Exists(path + "-shm"));
        }
        finally
        {
            File.SetUnixFileMode(path, mode);
        }

        Assert.Equal(hash, Stores.Sha256(path));
    }

    [Fact]
    public void A_directory_is_refused()
    {
        using var directory = new TempDirectory();
        var exception = Assert.Throws<StoreUnavailableException>(() => Stores.Open(directory.Path));
        Assert.Contains("directory", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_directory_is_created()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "data", "nested", "manta.db");
        await using var store = Stores.Open(path);
        Assert.Empty(store.Load().Sessions);
        Assert.True(File.Exists(path));
        Assert.Equal(path, store.Path);
    }

    private static StoreUnavailableException RefusedUntouched(string path)
    {
        var hash = Stores.Sha256(path);
        var length = new FileInfo(path).Length;
        var exception = Assert.Throws<StoreUnavailableException>(() => Stores.Open(path));
        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Equal(path, exception.Path);
        Assert.Equal(length, new FileInfo(path).Length);
        Assert.Equal(hash, Stores.Sha256(path));
        return exception;
    }

    private static bool CanWrite(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
