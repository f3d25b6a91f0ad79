namespace Manta.Storage.Sqlite.Tests.Support;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("manta-sqlite-").FullName;

    public string Path { get; }

    public string File(string name = "manta.db") => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Left for the OS to clean; a test must not fail on its cleanup.
        }
    }
}
