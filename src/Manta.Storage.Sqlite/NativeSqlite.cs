using System.Runtime.InteropServices;

namespace Manta.Storage.Sqlite;

/// <summary>
/// The few SQLite calls the writer makes per row, bound straight to the native library that
/// SQLitePCLRaw ships (e_sqlite3). Through SQLitePCLRaw each call goes through a provider
/// interface and adds and releases a reference on a SafeHandle; here it is a plain call on a
/// pointer that <see cref="PreparedStatement"/> keeps alive.
/// </summary>
internal static unsafe partial class NativeSqlite
{
    /// <summary>The library SQLitePCLRaw's e_sqlite3 provider loads; the store checks that it is the one in use.</summary>
    public const string LibraryName = "e_sqlite3";

    private const string Library = LibraryName;

    /// <summary>SQLITE_TRANSIENT: SQLite copies the value before the call returns.</summary>
    public static readonly IntPtr Transient = new(-1);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    public static partial int BindInt64(IntPtr statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    public static partial int BindNull(IntPtr statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    public static partial int BindText(IntPtr statement, int index, byte* utf8, int length, IntPtr destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_blob")]
    public static partial int BindBlob(IntPtr statement, int index, byte* value, int length, IntPtr destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_zeroblob")]
    public static partial int BindZeroBlob(IntPtr statement, int index, int length);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    public static partial int Reset(IntPtr statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_changes")]
    public static partial int Changes(IntPtr database);
}
