using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Manta.Storage.Sqlite;

/// <summary>
/// One SQL statement prepared once and executed many times by the writer, straight on the SQLite
/// handle: binding a value copies it into SQLite (SQLITE_TRANSIENT) and allocates nothing, where
/// an ADO.NET command would allocate a data reader and parameter binders per execution.
/// Parameters are positional (<c>?1</c>, <c>?2</c>, ...); every execution binds all of them.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly sqlite3 _database;
    private readonly sqlite3_stmt _statement;

    public PreparedStatement(sqlite3 database, string sql)
    {
        _database = database;
        var result = raw.sqlite3_prepare_v3(database, sql, raw.SQLITE_PREPARE_PERSISTENT, out _statement);
        if (result != raw.SQLITE_OK)
        {
            _statement.Dispose();
            SqliteException.ThrowExceptionForRC(result, database);
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    public void Bind(int index, long? value)
        => Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    public void Bind(int index, bool value) => Check(raw.sqlite3_bind_int(_statement, index, value ? 1 : 0));

    /// <summary>Binds text (small strings are encoded on the stack).</summary>
    public void BindText(int index, string value) => Check(raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds UTF-8 text; an empty span is the empty string, not NULL.</summary>
    public void BindText(int index, ReadOnlySpan<byte> utf8)
        => Check(utf8.IsEmpty ? raw.sqlite3_bind_text(_statement, index, string.Empty) : raw.sqlite3_bind_text(_statement, index, utf8));

    /// <summary>Binds a blob; an empty one is stored as NULL (read back as empty).</summary>
    public void BindBlobOrNull(int index, ReadOnlySpan<byte> value)
        => Check(value.IsEmpty ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_blob(_statement, index, value));

    /// <summary>Binds a zero-length blob (distinct from NULL).</summary>
    public void BindEmptyBlob(int index) => Check(raw.sqlite3_bind_zeroblob(_statement, index, 0));

    public void BindNull(int index) => Check(raw.sqlite3_bind_null(_statement, index));

    /// <summary>Runs the statement to completion; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            var result = raw.sqlite3_step(_statement);
            if (result != raw.SQLITE_DONE && result != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(result, _database);
            }

            return raw.sqlite3_changes(_database);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
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
