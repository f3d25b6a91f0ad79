namespace Manta.Storage.Sqlite;

/// <summary>
/// The database file cannot be used: it is not a SQLite database, it is corrupt, it was written by
/// a newer schema version, or it cannot be read or written. The file is left exactly as it was.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public StoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the store at <paramref name="path"/>, which cannot be used because of <paramref name="reason"/>.</summary>
    public StoreUnavailableException(string path, string reason, Exception? innerException)
        : base($"The store '{path}' cannot be used: {reason}", innerException)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The database file.</summary>
    public string? Path { get; }

    /// <summary>Why it cannot be used.</summary>
    public string? Reason { get; }
}
