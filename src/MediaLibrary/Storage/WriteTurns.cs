namespace MediaLibrary.Storage;

/// This process's SQLite writers, one at a time, first come first served. The turn passes to the
/// next writer through the releasing thread's own work queue, so the next writer runs as soon as
/// that thread is free, not behind everything else queued on the thread pool (under load,
/// webhook sends and request parsing) while the database stays idle.
internal sealed class WriteTurns
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiting = new();
    private bool _taken;

    /// True once it is the caller's turn; false when `timeout` passed first.
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        TaskCompletionSource<bool> turn;
        lock (_lock)
        {
            if (!_taken)
            {
                _taken = true;
                return true;
            }

            // Completed by Release on a pool thread: the writer's continuation runs right there.
            turn = new TaskCompletionSource<bool>();
            _waiting.Enqueue(turn);
        }

        using var timer = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, ct);
        await using (linked.Token.UnsafeRegister(static t => ((TaskCompletionSource<bool>)t!).TrySetResult(false), turn))
        {
            if (await turn.Task)
            {
                return true;
            }
        }

        // Left the queue (Release skips finished waiters); a turn handed over meanwhile was passed on.
        ct.ThrowIfCancellationRequested();
        return false;
    }

    public void Release()
    {
        TaskCompletionSource<bool>? next = null;
        lock (_lock)
        {
            while (next is null && _waiting.TryDequeue(out var waiter))
            {
                next = waiter.Task.IsCompleted ? null : waiter;
            }

            if (next is null)
            {
                _taken = false;
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (turns, waiter) = state;
            if (!waiter.TrySetResult(true))
            {
                // It gave up at this very moment: the turn goes to the next one.
                turns.Release();
            }
        }, (this, next), preferLocal: true);
    }
}
