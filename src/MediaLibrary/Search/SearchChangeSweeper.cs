using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Search;

/// Deletes change-log rows older than any cursor, at start and every hour.
internal sealed class SearchChangeSweeper(SearchStore store, ILogger<SearchChangeSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var removed = await store.PruneChangesAsync(stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Removed {Count} search change rows older than a cursor may live", removed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Pruning the search change log failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
