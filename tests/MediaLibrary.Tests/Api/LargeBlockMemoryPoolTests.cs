using MediaLibrary.Api;

namespace MediaLibrary.Tests.Api;

public class LargeBlockMemoryPoolTests
{
    [Fact]
    public void Blocks_are_32_KB_reused_after_return_and_larger_requests_are_refused()
    {
        using var pool = (LargeBlockMemoryPool)new LargeBlockMemoryPoolFactory().Create();

        var first = pool.Rent(4096);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        first.Memory.Span.Fill(7);
        var memory = first.Memory;
        first.Dispose();

        using var again = pool.Rent();
        Assert.True(again.Memory.Span.Overlaps(memory.Span), "a returned block is handed out again");
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void A_disposed_pool_rents_nothing_and_drops_returned_blocks()
    {
        var pool = (LargeBlockMemoryPool)new LargeBlockMemoryPoolFactory().Create();
        var block = pool.Rent();
        pool.Dispose();

        block.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }
}
