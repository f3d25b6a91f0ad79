using System.Runtime.InteropServices;

namespace Manta.Broker.Diagnostics;

/// <summary>
/// A counter many threads add to without contending: one cache-line-padded cell per processor,
/// summed on read. Reads are rare ($SYS every few seconds), additions happen per message.
/// </summary>
internal sealed class StripedCounter
{
    private readonly Cell[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _cells = new Cell[size];
        _mask = size - 1;
    }

    public void Add(long value) => Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value, value);

    public long Sum()
    {
        long total = 0;
        for (var i = 0; i < _cells.Length; i++)
        {
            total += Volatile.Read(ref _cells[i].Value);
        }

        return total;
    }

    // 128 bytes keeps neighbouring cells off each other's cache lines, adjacent-line prefetch included.
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(64)]
        public long Value;
    }
}
