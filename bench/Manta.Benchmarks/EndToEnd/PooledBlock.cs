using System.Buffers;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>One block of a <see cref="BlockMemoryPool"/>; disposing it gives it back for reuse.</summary>
internal sealed class PooledBlock : IMemoryOwner<byte>
{
    private readonly BlockMemoryPool _pool;

    public PooledBlock(BlockMemoryPool pool)
    {
        _pool = pool;
        Memory = new byte[BlockMemoryPool.BlockSize];
    }

    public Memory<byte> Memory { get; }

    public void Dispose() => _pool.Return(this);
}
