using Microsoft.Data.Sqlite;

namespace Manta.Storage.Sqlite;

/// <summary>
/// Which delivery ids each client has in the database. The deliveries table is keyed by id alone
/// and has no index on the client (an index would be a second B-tree to update on every insert and
/// delete); this lets a removed session's deliveries be deleted by id instead of by a table scan.
/// Used by the writer thread only; mirrors the committed state plus the open transaction.
/// </summary>
internal sealed class ClientDeliveries
{
    // A client's set is kept while it is empty (a subscriber that keeps up empties it all the
    // time); it goes with the session.
    private readonly Dictionary<string, HashSet<long>> _byClient = new(StringComparer.Ordinal);

    /// <summary>Reads every (client, id) of the database, replacing what was tracked (at open, and after a rollback); returns how many there are.</summary>
    public long Load(SqliteConnection connection)
    {
        _byClient.Clear();
        long count = 0;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_id, id FROM deliveries";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Add(reader.GetString(0), reader.GetInt64(1));
            count++;
        }

        return count;
    }

    public void Add(string clientId, long id)
    {
        if (!_byClient.TryGetValue(clientId, out var ids))
        {
            ids = [];
            _byClient.Add(clientId, ids);
        }

        ids.Add(id);
    }

    public void Remove(string clientId, long id)
    {
        if (_byClient.TryGetValue(clientId, out var ids))
        {
            ids.Remove(id);
        }
    }

    /// <summary>Forgets the client and returns its ids (null when it has none).</summary>
    public HashSet<long>? Take(string clientId) => _byClient.Remove(clientId, out var ids) ? ids : null;
}
