using System.Runtime.InteropServices;

namespace Manta.Storage.Sqlite;

/// <summary>
/// The delivery ids a batch removes, turned into runs of consecutive ids: a subscriber that
/// acknowledges in order removes ids that follow each other, and one range delete walks a run
/// of rows in the B-tree once instead of looking up and deleting each row with its own statement.
/// </summary>
/// <remarks>
/// Deleting at the end of the batch instead of in operation order changes nothing: a delivery id
/// is never reused, so no later operation of the batch can refer to a removed id again. Ids whose
/// add and removal cancelled out in the batch are collected too: they have no row, so they only
/// join the runs on either side of them, and a run made of them alone is not deleted at all.
/// </remarks>
internal sealed class DeletionRuns
{
    // Each id shifted left by one, the low bit set when it has a row: sorting these sorts the ids.
    private readonly List<long> _ids = new(1024);

    // Ids with a row to delete; the others only bridge runs. None: nothing to delete at all.
    private int _rows;
    private bool _sorted = true;

    /// <summary>True when a removal with a row was added since the last delete or clear.</summary>
    public bool HasRows => _rows > 0;

    /// <summary>Adds an id; <paramref name="hasRow"/> false for one that cancelled out in the batch (it only joins runs).</summary>
    public void Add(long id, bool hasRow)
    {
        var key = (id << 1) | (hasRow ? 1L : 0L);
        if (_ids.Count > 0 && key < _ids[^1])
        {
            _sorted = false;
        }

        _ids.Add(key);
        if (hasRow)
        {
            _rows++;
        }
    }

    public void Clear()
    {
        _ids.Clear();
        _rows = 0;
        _sorted = true;
    }

    /// <summary>Sorts the ids and calls <paramref name="delete"/> with each run (first, last); returns the sum of what it returns. Clears.</summary>
    public long Delete<TState>(TState state, Func<TState, long, long, int> delete)
    {
        var ids = CollectionsMarshal.AsSpan(_ids);
        if (!_sorted)
        {
            // Acknowledgements mostly come in order, and so do the ids: usually nothing to sort.
            ids.Sort();
        }

        long deleted = 0;
        var start = 0;
        var rows = (ids.Length > 0 ? ids[0] : 0) & 1;
        for (var i = 1; i <= ids.Length; i++)
        {
            // A repeated id (not expected) stays in its run.
            if (i == ids.Length || (ids[i] >> 1) > (ids[i - 1] >> 1) + 1)
            {
                if (rows != 0)
                {
                    deleted += delete(state, ids[start] >> 1, ids[i - 1] >> 1);
                }

                start = i;
                rows = 0;
            }

            if (i < ids.Length)
            {
                rows |= ids[i] & 1;
            }
        }

        Clear();
        return deleted;
    }
}
