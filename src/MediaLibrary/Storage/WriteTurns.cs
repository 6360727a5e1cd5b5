namespace MediaLibrary.Storage;

/// This process's SQLite writers, one at a time, first come first served. The turn passes to the
/// next writer through the releasing thread's own work queue, so the next writer runs as soon as
/// that thread is free, not behind everything else queued on the thread pool (under load,
/// webhook sends and request parsing) while the database stays idle.
///
/// `returned`: what the holder does when a turn it passed comes back because the chosen waiter
/// gave up at that moment (by default, pass it on again or release it).
internal sealed class WriteTurns(Action? returned = null)
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource<bool>> _waiting = new();
    private bool _taken;

    /// Writers waiting for a turn (some may have given up and not been skipped yet).
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count(w => !w.Task.IsCompleted);
            }
        }
    }

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

    /// Ends the caller's turn: the next waiter gets it, or nobody holds it.
    public void Release() => Pass(releaseWhenNone: true);

    /// Passes the turn to the next waiter and returns true; false when nobody waits, and then the
    /// caller still holds the turn.
    public bool TryPass() => Pass(releaseWhenNone: false);

    private bool Pass(bool releaseWhenNone)
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
                if (releaseWhenNone)
                {
                    _taken = false;
                }

                return false;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (turns, waiter) = state;
            if (!waiter.TrySetResult(true))
            {
                // It gave up at this very moment: the turn is back with its holder.
                (turns._returned ?? turns.Release)();
            }
        }, (this, next), preferLocal: true);
        return true;
    }

    private readonly Action? _returned = returned;
}
