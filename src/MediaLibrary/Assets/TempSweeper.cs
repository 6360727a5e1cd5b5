using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Assets;

/// Removes what interrupted uploads left: spool files and the store's own temporaries, at start
/// and every 30 minutes. Anything younger than an hour may still be in use and stays.
internal sealed class TempSweeper(IBlobStore store, IOptions<MediaLibraryOptions> options, ILogger<TempSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(30));
        do
        {
            try
            {
                await SweepAsync(MinimumAge, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sweeping temporary upload files failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var removed = FileSystemBlobStore.DeleteOldFiles(options.Value.SpoolDirectory, DateTime.UtcNow - olderThan)
                      + await store.CleanupAsync(olderThan, ct);
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} stale temporary upload files", removed);
        }

        return removed;
    }
}
