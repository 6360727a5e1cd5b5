using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace MediaLibrary.Api;

/// Kestrel's connection buffers in 32 KB blocks instead of its default 4 KB. Every response body
/// is copied into these blocks on its way to the socket: a 200 KB original took 50 rents, 50
/// copies and a 50-part send, and renting alone was ~9 % of serve-image's CPU (bench/README.md).
/// Blocks live on the pinned object heap like Kestrel's own; an idle connection holds none
/// (Kestrel waits for data before it rents a receive buffer).
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 32 * 1024;

    // Beyond this many idle blocks (32 MB) returned blocks are left to the GC.
    private const int MaxIdleBlocks = 1024;

    private readonly ConcurrentQueue<Block> _idle = new();
    private int _idleCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _idleCount);
            return block;
        }

        return new Block(this);
    }

    private void Return(Block block)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > MaxIdleBlocks)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _idle.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } =
            MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);

        public void Dispose() => pool.Return(this);
    }
}
