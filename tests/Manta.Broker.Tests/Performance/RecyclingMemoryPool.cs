using System.Buffers;
using System.Collections.Concurrent;

namespace Manta.Broker.Tests.Performance;

/// <summary>
/// A memory pool that keeps every block it hands out (as Kestrel's pinned block pool does), so
/// the test's own pipes allocate nothing in steady state and the measurement sees the broker alone.
/// </summary>
public sealed class RecyclingMemoryPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;
    private readonly ConcurrentQueue<Block> _blocks = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _blocks.TryDequeue(out var block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(RecyclingMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = new byte[BlockSize];

        public Memory<byte> Memory => _array;

        public void Dispose() => pool._blocks.Enqueue(this);
    }
}
