using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Storage;

/// The turns SQLite writers of one process take (the HTTP tests write through them on every request).
public sealed class WriteTurnsTests
{
    [Fact]
    public async Task Writers_take_turns_one_at_a_time_in_the_order_they_came()
    {
        var turns = new WriteTurns();
        Assert.True(await turns.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));

        var order = new List<int>();
        var inside = 0;
        var turnsGiven = new List<Task<bool>>();
        var waiters = Enumerable.Range(0, 20).Select(i =>
        {
            var waiting = turns.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            turnsGiven.Add(waiting);
            return Task.Run(async () =>
            {
                Assert.True(await waiting);
                Assert.Equal(1, Interlocked.Increment(ref inside));
                lock (order)
                {
                    order.Add(i);
                }

                await Task.Delay(5);
                Interlocked.Decrement(ref inside);
                turns.Release();
            });
        }).ToList();

        // Nothing can happen later that a wrongly given turn would have to come before: the turn is
        // held, so nobody moves. A bounded look, then, at the turns themselves (not only at `order`,
        // which also waits for the thread pool to run the writers).
        await Waits.AssertNothingHappensWithinAsync(TimeSpan.FromMilliseconds(100), () => turnsGiven.Any(t => t.IsCompleted),
            "a writer got a turn while the first still held it");
        Assert.Empty(order);
        turns.Release();
        await Task.WhenAll(waiters);
        Assert.Equal(Enumerable.Range(0, 20), order);
    }

    [Fact]
    public async Task A_writer_that_gives_up_or_is_cancelled_leaves_the_queue_and_the_turn_goes_on()
    {
        var turns = new WriteTurns();
        Assert.True(await turns.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));

        var timedOut = turns.WaitAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = turns.WaitAsync(TimeSpan.FromSeconds(10), cancel.Token);
        var patient = turns.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.False(await timedOut);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(patient.IsCompleted);

        turns.Release();
        Assert.True(await patient);
        turns.Release();
        Assert.True(await turns.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }
}
