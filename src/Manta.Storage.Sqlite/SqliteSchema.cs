using Microsoft.Data.Sqlite;

namespace Manta.Storage.Sqlite;

/// <summary>
/// The versioned schema. The version lives in the database header (<c>PRAGMA user_version</c>);
/// 0 is a database without Manta's tables. At start-up every step from the file's version to
/// <see cref="CurrentVersion"/> runs, each in its own transaction together with the version bump,
/// so a crash during a migration leaves the file at the previous version.
/// </summary>
/// <remarks>
/// To change the schema: add a method <c>MigrateTo2</c>, append it to <see cref="Steps"/> and raise
/// <see cref="CurrentVersion"/>. Never edit a step that has shipped: files out there went through it.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>The version this build writes; a file with a higher one was written by a newer Manta and is refused.</summary>
    public const int CurrentVersion = 2;

    // Steps[i] takes a database from version i to version i + 1.
    private static readonly Action<SqliteConnection, SqliteTransaction>[] Steps = [MigrateTo1, MigrateTo2];

    /// <summary>Reads the schema version of the open database.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Brings the database to <see cref="CurrentVersion"/>; returns the version it had. Throws
    /// <see cref="InvalidOperationException"/> for a version newer than this build knows.
    /// </summary>
    public static int Migrate(SqliteConnection connection)
    {
        var initial = ReadVersion(connection);
        if (initial > CurrentVersion)
        {
            throw new InvalidOperationException(NewerVersion(initial));
        }

        for (var version = initial; version < CurrentVersion; version++)
        {
            // IMMEDIATE: take the write lock first, then re-read the version under it, so two
            // processes starting on one file cannot both run the same step.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (ReadVersion(connection, transaction) != version)
            {
                transaction.Rollback();
                return Migrate(connection);
            }

            Steps[version](connection, transaction);
            Execute(connection, transaction, $"PRAGMA user_version = {version + 1}");
            transaction.Commit();
        }

        return initial;
    }

    /// <summary>The reason given for a file written by a newer schema.</summary>
    public static string NewerVersion(int version)
        => $"its schema version {version} is newer than this build of Manta understands (up to {CurrentVersion}); run a newer Manta or point the store at another file";

    /// <summary>Version 1: the tables of sessions, subscriptions, deliveries, inbound QoS 2 ids, wills and retained messages.</summary>
    private static void MigrateTo1(SqliteConnection connection, SqliteTransaction transaction)
    {
        // Sessions and subscriptions are rowid tables so that Load returns them in the order they
        // were first saved (an upsert keeps the rowid). Rows with a payload stay rowid tables too:
        // WITHOUT ROWID suits small rows only. Times are Unix milliseconds.
        Execute(connection, transaction, """
            CREATE TABLE sessions (
                client_id        TEXT    NOT NULL PRIMARY KEY,
                expiry_interval  INTEGER NOT NULL,
                protocol_version INTEGER NOT NULL,
                disconnected_at  INTEGER            -- NULL while connected
            );

            CREATE TABLE subscriptions (
                client_id           TEXT    NOT NULL,
                filter              TEXT    NOT NULL, -- as sent, incl. $share/group/
                qos                 INTEGER NOT NULL,
                no_local            INTEGER NOT NULL,
                retain_as_published INTEGER NOT NULL,
                retain_handling     INTEGER NOT NULL,
                identifier          INTEGER NOT NULL,
                PRIMARY KEY (client_id, filter)
            );

            CREATE TABLE deliveries (
                client_id        TEXT    NOT NULL,
                id               INTEGER NOT NULL,  -- per-session delivery number
                topic            TEXT,              -- NULL: no message kept (released QoS 2)
                payload          BLOB,              -- NULL: empty
                properties       BLOB,              -- forwarded v5 properties, wire form; NULL: none
                message_qos      INTEGER NOT NULL,
                message_retain   INTEGER NOT NULL,
                expires_at       INTEGER,           -- NULL: never
                qos              INTEGER NOT NULL,
                retain           INTEGER NOT NULL,
                subscription_ids BLOB,              -- uint32 little-endian each; NULL: none
                packet_id        INTEGER NOT NULL,  -- 0: still queued
                released         INTEGER NOT NULL,  -- 1: QoS 2 after PUBREC, PUBREL remains
                PRIMARY KEY (client_id, id)
            );

            CREATE TABLE inbound_qos2 (
                client_id TEXT    NOT NULL,
                packet_id INTEGER NOT NULL,
                PRIMARY KEY (client_id, packet_id)
            ) WITHOUT ROWID;

            CREATE TABLE wills (
                client_id  TEXT    NOT NULL PRIMARY KEY,
                topic      TEXT    NOT NULL,
                payload    BLOB,                    -- NULL: empty
                qos        INTEGER NOT NULL,
                retain     INTEGER NOT NULL,
                properties TEXT,                    -- JSON of the v5 will properties; NULL: none
                due_at     INTEGER NOT NULL
            );

            CREATE TABLE retained (
                topic      TEXT    NOT NULL PRIMARY KEY,
                payload    BLOB,                    -- NULL: empty
                properties BLOB,                    -- forwarded v5 properties, wire form; NULL: none
                qos        INTEGER NOT NULL,
                retain     INTEGER NOT NULL,
                expires_at INTEGER                  -- NULL: never
            );
            """);
    }

    /// <summary>
    /// Version 2: deliveries keyed by a delivery id unique across sessions, the table's rowid. A
    /// delivery is then found, updated and deleted with one lookup in one B-tree; version 1 kept a
    /// second B-tree (the index of its text key) and compared client ids on every lookup. Rows of
    /// version 1 are renumbered in (client, id) order, which keeps each session's order.
    /// </summary>
    private static void MigrateTo2(SqliteConnection connection, SqliteTransaction transaction)
    {
        Execute(connection, transaction, """
            CREATE TABLE deliveries_v2 (
                id               INTEGER PRIMARY KEY, -- unique across sessions; increasing within one
                client_id        TEXT    NOT NULL,    -- not indexed: the store tracks each client's ids
                topic            TEXT,
                payload          BLOB,
                properties       BLOB,
                message_qos      INTEGER NOT NULL,
                message_retain   INTEGER NOT NULL,
                expires_at       INTEGER,
                qos              INTEGER NOT NULL,
                retain           INTEGER NOT NULL,
                subscription_ids BLOB,
                packet_id        INTEGER NOT NULL,
                released         INTEGER NOT NULL
            );

            INSERT INTO deliveries_v2 (id, client_id, topic, payload, properties, message_qos, message_retain,
                expires_at, qos, retain, subscription_ids, packet_id, released)
            SELECT row_number() OVER (ORDER BY client_id, id), client_id, topic, payload, properties, message_qos,
                message_retain, expires_at, qos, retain, subscription_ids, packet_id, released
            FROM deliveries;

            DROP TABLE deliveries;
            ALTER TABLE deliveries_v2 RENAME TO deliveries;
            """);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
