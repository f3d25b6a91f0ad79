using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Durability;

/// <summary>
/// A database manta cannot use (not SQLite, damaged, from a newer schema, or in use by another
/// manta) stops start-up with exit code 2 and a message naming the file, and the file is left
/// byte for byte as it was.
/// </summary>
public sealed class UnusableDatabaseTests
{
    public static TheoryData<string> Kinds => ["random-bytes", "malformed-page", "newer-schema"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_unusable_database_stops_startup_with_exit_code_2_naming_the_file_and_leaves_it_untouched(string kind)
    {
        await using var manta = DurableManta.Create();
        Directory.CreateDirectory(manta.DataDirectory);
        var content = Content(kind);
        await File.WriteAllBytesAsync(manta.DatabasePath, content);
        var before = SHA256.HashData(content);

        var process = await manta.StartUncheckedAsync();
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(code == 2, $"manta exited {code} with a {kind} database, not 2.\n{manta.Describe()}");
        var said = process.Stderr + "\n" + string.Join('\n', process.StdoutLines);
        Assert.True(said.Contains(manta.DatabasePath, StringComparison.Ordinal), $"the message does not name {manta.DatabasePath}.\n{manta.Describe()}");
        var after = SHA256.HashData(await File.ReadAllBytesAsync(manta.DatabasePath));
        Assert.True(before.SequenceEqual(after), $"manta changed the {kind} database file.\n{manta.Describe()}");
    }

    [Theory]
    [InlineData(UnixFileMode.None, "permission denied: the file cannot be read")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "read-only for this process")]
    [SupportedOSPlatform("linux")]
    public async Task A_database_this_process_may_not_read_or_write_stops_startup_with_exit_code_2_and_is_left_untouched(UnixFileMode mode, string reason)
    {
        await using var manta = DurableManta.Create();
        var process = await manta.StartUncheckedAsync();
        await MantaProcess.WaitUntilListeningAsync(process, manta.Port);
        await manta.StopAsync();
        var before = SHA256.HashData(await File.ReadAllBytesAsync(manta.DatabasePath));
        var original = File.GetUnixFileMode(manta.DatabasePath);
        File.SetUnixFileMode(manta.DatabasePath, mode);
        try
        {
            await using var held = MantaProcess.StartServerHeldToFilePermissions(
                $"--Manta:Listeners:0:Port={MantaServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture)}",
                "--Manta:Listeners:0:Address=127.0.0.1",
                $"--Manta:DataDirectory={manta.DataDirectory}");
            var code = await held.WaitForExitAsync(TimeSpan.FromSeconds(10));

            Assert.True(code == 2, $"manta exited {code} with a database of mode {mode}, not 2.\n{held.Describe()}");
            var said = held.Stderr + "\n" + string.Join('\n', held.StdoutLines);
            Assert.True(said.Contains(manta.DatabasePath, StringComparison.Ordinal) && said.Contains(reason, StringComparison.Ordinal), $"the refusal does not name the file or say \"{reason}\".\n{held.Describe()}");
        }
        finally
        {
            File.SetUnixFileMode(manta.DatabasePath, original);
        }

        var after = SHA256.HashData(await File.ReadAllBytesAsync(manta.DatabasePath));
        Assert.True(before.SequenceEqual(after), $"manta changed the database of mode {mode}.\n{manta.Describe()}");
        Assert.False(File.Exists(manta.DatabasePath + "-wal") && new FileInfo(manta.DatabasePath + "-wal").Length > 0, "a refused start left a write-ahead log");
    }

    [Fact]
    public async Task A_second_manta_on_the_same_data_directory_stops_with_exit_code_2_and_the_first_keeps_serving()
    {
        await using var first = await DurableManta.StartAsync();
        await using var second = MantaProcess.StartServer(
            $"--Manta:Listeners:0:Port={MantaServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1",
            "--Manta:Http:Enabled=false",
            $"--Manta:DataDirectory={first.DataDirectory}");
        var code = await second.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(code == 2, $"the second manta exited {code}, not 2.\n{second.Describe()}");
        var said = second.Stderr + "\n" + string.Join('\n', second.StdoutLines);
        Assert.True(said.Contains("in use by another process", StringComparison.Ordinal) && said.Contains(first.DatabasePath, StringComparison.Ordinal), $"the refusal does not say why or name the file.\n{second.Describe()}");

        // The first still stores: a persistent session it saved is there after its own restart
        // (a stop, not a kill: a session is stored when its commit comes, which nothing awaits).
        var (client, _) = await WireClient.ConnectAsync(first.Host, first.Port, 4, "kept", cleanStart: false);
        await client.DisposeAsync();
        await first.StopAsync();
        await first.StartAgainAsync();
        var (again, present) = await WireClient.ConnectAsync(first.Host, first.Port, 4, "kept", cleanStart: false);
        await again.DisposeAsync();
        Assert.True(present, $"the first manta lost the session.\n{first.Describe()}");
    }

    private static byte[] Content(string kind) => kind switch
    {
        "random-bytes" => RandomBytes(),
        "malformed-page" => SqliteFile(userVersion: 0, malformedPage: true),
        _ => SqliteFile(userVersion: 9999, malformedPage: false),
    };

    /// <summary>16 KiB of random bytes: no SQLite header (SQLITE_NOTADB).</summary>
    private static byte[] RandomBytes()
    {
        var bytes = new byte[16 * 1024];
        Random.Shared.NextBytes(bytes);
        bytes[0] = (byte)'x'; // never "SQLite format 3" by chance
        return bytes;
    }

    /// <summary>
    /// A one-page SQLite database in WAL mode, as written by hand from the file format
    /// (https://sqlite.org/fileformat2.html), so the tests need no SQLite library: an empty
    /// schema with user_version <paramref name="userVersion"/> (a newer manta's schema when high),
    /// or with a valid header over a garbage b-tree page (SQLITE_CORRUPT once the schema is read).
    /// </summary>
    private static byte[] SqliteFile(int userVersion, bool malformedPage)
    {
        const int PageSize = 4096;
        var page = new byte[PageSize];
        "SQLite format 3\0"u8.CopyTo(page);
        BinaryPrimitives.WriteUInt16BigEndian(page.AsSpan(16), PageSize);
        page[18] = 2; // file format write version: 2 = WAL
        page[19] = 2; // file format read version: 2 = WAL
        page[20] = 0; // reserved bytes per page
        page[21] = 64; // maximum embedded payload fraction (must be 64)
        page[22] = 32; // minimum embedded payload fraction (must be 32)
        page[23] = 32; // leaf payload fraction (must be 32)
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(24), 1); // file change counter
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(28), 1); // database size in pages
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(44), 4); // schema format number
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(56), 1); // text encoding: UTF-8
        BinaryPrimitives.WriteInt32BigEndian(page.AsSpan(60), userVersion); // user_version
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(92), 1); // version-valid-for = change counter
        BinaryPrimitives.WriteUInt32BigEndian(page.AsSpan(96), 3_045_000); // SQLite version that wrote it
        if (malformedPage)
        {
            for (var i = 100; i < PageSize; i++)
            {
                page[i] = (byte)((i * 37) + 11);
            }
        }
        else
        {
            // Page 1's b-tree header: an empty table leaf (sqlite_schema with no rows).
            page[100] = 0x0D; // table b-tree leaf
            BinaryPrimitives.WriteUInt16BigEndian(page.AsSpan(105), PageSize); // cell content starts at the page end
        }

        return page;
    }
}
