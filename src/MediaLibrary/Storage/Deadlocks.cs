namespace MediaLibrary.Storage;

/// Transactions that lock many rows in an order the caller does not control (a batch PATCH, an
/// import of several documents) can meet another in a deadlock on PostgreSQL, which aborts one of
/// them with nothing written. That one is run again, from the start, a few times.
internal static class Deadlocks
{
    private const int Attempts = 4;

    public static bool IsDeadlock(Exception e) => e switch
    {
        Npgsql.PostgresException { SqlState: "40P01" or "40001" } => true,
        { InnerException: { } inner } => IsDeadlock(inner),
        _ => false,
    };

    public static async Task<T> RetryAsync<T>(Func<Task<T>> work, ILogger logger, string what, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (Exception e) when (attempt < Attempts && IsDeadlock(e))
            {
                logger.LogInformation("{What} met another transaction in a deadlock (attempt {Attempt}); running it again", what, attempt);
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
        }
    }
}
