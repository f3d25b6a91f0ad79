using System.Buffers;
using System.Collections.Concurrent;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>
/// A memory pool for the in-memory pipes that keeps every block it has handed out, as Kestrel's
/// own block pool does for real sockets. A pipe built on the default pool rents its segments
/// from <see cref="ArrayPool{T}.Shared"/>, which keeps only a few dozen arrays per size and per
/// core: with ten subscribers' pipes holding a round in flight, returned segments would be
/// dropped and new ones allocated, and the benchmark would report the test harness's
/// allocations instead of the broker's.
/// </summary>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The pipe's default minimum segment size, and the block size Kestrel uses.</summary>
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<PooledBlock> _free = new();

    /// <summary>Larger requests are not pooled: the pipe then rents from the array pool itself.</summary>
    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _free.TryDequeue(out var block) ? block : new PooledBlock(this);
    }

    internal void Return(PooledBlock block) => _free.Enqueue(block);

    protected override void Dispose(bool disposing)
    {
        // Blocks are plain managed arrays: the GC reclaims them with the pool.
    }
}
