namespace MediaLibrary.Tests.Infrastructure;

/// Waiting in tests: for a condition, not for a fixed time.
///
/// To show that something did *not* happen (a second delivery, an extra event), a test first
/// causes a later marker that must come after anything that could wrongly happen (a later event,
/// delivered or fed in order) and waits for it with <see cref="UntilAsync{T}"/>; then it asserts.
/// Only where no such marker exists does it use <see cref="AssertNothingHappensWithinAsync"/>,
/// whose bound is written at the call and should say why it is enough.
public static class Waits
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// Reads until `done` holds for what was read and returns that; fails naming `what` (and
    /// `describe` of the last read, when given) once `timeout` has passed.
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Waited {timeout.TotalSeconds:0.#} s for {what}" + (describe is null ? "" : $"; last seen: {describe(value)}"));
            }

            await Task.Delay(Poll);
        }
    }

    /// Waits until `done` holds; fails naming `what` once `timeout` has passed.
    public static Task UntilAsync(Func<bool> done, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(done()), d => d, timeout, what);

    /// For a negative with no later marker to wait for: looks at `happened` throughout `window`
    /// (and once more at its end) and fails with `what` as soon as it holds.
    public static async Task AssertNothingHappensWithinAsync(TimeSpan window, Func<Task<bool>> happened, string what)
    {
        var deadline = DateTime.UtcNow + window;
        while (true)
        {
            Assert.False(await happened(), what);
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(left < Poll ? left : Poll);
        }
    }

    public static Task AssertNothingHappensWithinAsync(TimeSpan window, Func<bool> happened, string what) =>
        AssertNothingHappensWithinAsync(window, () => Task.FromResult(happened()), what);
}
