using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Manta.Storage.Sqlite;

/// <summary>
/// One SQL statement prepared once and executed many times by the writer, straight on the SQLite
/// handle: binding a value copies it into SQLite (SQLITE_TRANSIENT) and allocates nothing, where
/// an ADO.NET command would allocate a data reader and parameter binders per execution.
/// Parameters are positional (<c>?1</c>, <c>?2</c>, ...); every execution binds all of them.
/// </summary>
/// <remarks>
/// Per-row calls go through <see cref="NativeSqlite"/> on the raw pointers; the SafeHandles are
/// held here, so the pointers stay valid until <see cref="Dispose"/>. Used by one thread at a time.
/// </remarks>
internal sealed unsafe class PreparedStatement : IDisposable
{
    // Text up to this many UTF-8 bytes is encoded on the stack.
    private const int StackText = 512;

    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _databaseHandle;
    private readonly IntPtr _handle;

    public PreparedStatement(sqlite3 database, string sql)
    {
        _database = database;
        var result = raw.sqlite3_prepare_v3(database, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement);
        if (result != raw.SQLITE_OK)
        {
            _statement.Dispose();
            SqliteException.ThrowExceptionForRC(result, database);
        }

        _databaseHandle = database.DangerousGetHandle();
        _handle = _statement.DangerousGetHandle();
    }

    public void Bind(int index, long value) => Check(NativeSqlite.BindInt64(_handle, index, value));

    public void Bind(int index, long? value)
        => Check(value is { } v ? NativeSqlite.BindInt64(_handle, index, v) : NativeSqlite.BindNull(_handle, index));

    public void Bind(int index, bool value) => Check(NativeSqlite.BindInt64(_handle, index, value ? 1 : 0));

    /// <summary>Binds text (encoded to UTF-8 on the stack when small).</summary>
    public void BindText(int index, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var utf8 = length <= StackText ? stackalloc byte[StackText] : new byte[length];
        Encoding.UTF8.GetBytes(value, utf8);
        BindText(index, utf8[..length]);
    }

    /// <summary>Binds UTF-8 text; an empty span is the empty string, not NULL.</summary>
    public void BindText(int index, ReadOnlySpan<byte> utf8)
    {
        // A non-null pointer even for no bytes: SQLite binds NULL for a null pointer.
        byte empty = 0;
        fixed (byte* bytes = utf8)
        {
            Check(NativeSqlite.BindText(_handle, index, utf8.IsEmpty ? &empty : bytes, utf8.Length, NativeSqlite.Transient));
        }
    }

    /// <summary>Binds a blob; an empty one is stored as NULL (read back as empty).</summary>
    public void BindBlobOrNull(int index, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            BindNull(index);
            return;
        }

        fixed (byte* bytes = value)
        {
            Check(NativeSqlite.BindBlob(_handle, index, bytes, value.Length, NativeSqlite.Transient));
        }
    }

    /// <summary>Binds a zero-length blob (distinct from NULL).</summary>
    public void BindEmptyBlob(int index) => Check(NativeSqlite.BindZeroBlob(_handle, index, 0));

    public void BindNull(int index) => Check(NativeSqlite.BindNull(_handle, index));

    /// <summary>Runs the statement to completion; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            var result = NativeSqlite.Step(_handle);
            if (result != raw.SQLITE_DONE && result != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(result, _database);
            }

            return NativeSqlite.Changes(_databaseHandle);
        }
        finally
        {
            // Reset repeats the error of the step, which was already reported.
            _ = NativeSqlite.Reset(_handle);
        }
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, _database);
        }
    }
}
