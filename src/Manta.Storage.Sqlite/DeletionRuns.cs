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
/// join the runs on either side of them.
/// </remarks>
internal sealed class DeletionRuns
{
    private readonly List<long> _ids = new(1024);

    public int Count => _ids.Count;

    public void Add(long id) => _ids.Add(id);

    public void Clear() => _ids.Clear();

    /// <summary>Sorts the ids and calls <paramref name="delete"/> with each run (first, last); returns the sum of what it returns. Clears.</summary>
    public long Delete<TState>(TState state, Func<TState, long, long, int> delete)
    {
        var ids = CollectionsMarshal.AsSpan(_ids);
        ids.Sort();
        long deleted = 0;
        var start = 0;
        for (var i = 1; i <= ids.Length; i++)
        {
            // A repeated id (not expected) stays in its run.
            if (i == ids.Length || ids[i] > ids[i - 1] + 1)
            {
                deleted += delete(state, ids[start], ids[i - 1]);
                start = i;
            }
        }

        _ids.Clear();
        return deleted;
    }
}
