namespace Manta.Bench;

/// <summary>
/// What one subscriber received from one publisher, by sequence number: how many distinct
/// messages, how many duplicates and how many arrived after a later one (out of order).
/// </summary>
/// <remarks>
/// A ring of <see cref="WindowBits"/> bits remembers which of the latest sequence numbers
/// arrived; in order, recording one is a bit set and an increment. A number older than the
/// window cannot be checked and counts as out of order (not as a duplicate): MQTT brokers
/// keep per-topic order, so such deep reordering is itself the finding. Single writer (the
/// subscriber's receive loop); read after the loop ended.
/// </remarks>
internal sealed class SequenceTracker
{
    /// <summary>Sequence numbers remembered behind the newest: 4096 bits, 512 bytes per subscriber and publisher.</summary>
    public const int WindowBits = 4096;

    private readonly ulong[] _seen = new ulong[WindowBits / 64];
    private long _next;

    /// <summary>Distinct sequence numbers received.</summary>
    public long Unique { get; private set; }

    /// <summary>Sequence numbers received again.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Sequence numbers received after a higher one.</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Records <paramref name="sequence"/>; false when it is a duplicate.</summary>
    public bool Record(long sequence)
    {
        if (sequence >= _next)
        {
            var gap = sequence - _next;
            if (gap >= WindowBits)
            {
                Array.Clear(_seen);
            }
            else
            {
                // The skipped numbers (lost, or still to come) leave the ring's old bits behind.
                for (var s = _next; s < sequence; s++)
                {
                    _seen[(s >> 6) & ((WindowBits / 64) - 1)] &= ~(1UL << (int)(s & 63));
                }
            }

            Set(sequence);
            _next = sequence + 1;
            Unique++;
            return true;
        }

        if (_next - sequence > WindowBits)
        {
            OutOfOrder++;
            Unique++;
            return true;
        }

        ref var word = ref _seen[(sequence >> 6) & ((WindowBits / 64) - 1)];
        var bit = 1UL << (int)(sequence & 63);
        if ((word & bit) != 0)
        {
            Duplicated++;
            return false;
        }

        word |= bit;
        OutOfOrder++;
        Unique++;
        return true;
    }

    private void Set(long sequence) => _seen[(sequence >> 6) & ((WindowBits / 64) - 1)] |= 1UL << (int)(sequence & 63);
}
