using MediaLibrary.Lifecycle;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Cli;

/// `lifecycle preview|run`: what the deletion routines would delete, and running them by hand.
internal static class LifecycleCommands
{
    private const int FirstIds = 10;

    public static async Task<int> PreviewAsync(DeletionRoutines routines, MediaTypeCatalog types, string? mediaType, CancellationToken ct)
    {
        if (mediaType is not null && types.Find(mediaType) is null)
        {
            await Console.Error.WriteLineAsync($"No media type '{mediaType}' (known: {string.Join(", ", types.All.Select(t => t.Handle).Order(StringComparer.Ordinal))}).");
            return 1;
        }

        var runs = await routines.PreviewAsync(mediaType, FirstIds, ct);
        if (runs.Count == 0)
        {
            Console.Out.WriteLine(mediaType is null ? "No media type has an enabled deletion routine." : $"Media type '{mediaType}' has no enabled deletion routine.");
            return 0;
        }

        Print(runs, "WOULD DELETE");
        return 0;
    }

    public static async Task<int> RunAsync(DeletionRoutines routines, BlobEraser eraser, CancellationToken ct)
    {
        var runs = await routines.RunAsync(ct);
        if (runs is null)
        {
            await Console.Error.WriteLineAsync("Another process is running the deletion routines right now; nothing was done.");
            return 1;
        }

        Print(runs, "DELETED");
        // The bytes go now; an API process would do it too.
        while (await eraser.EraseDueAsync(ct) > 0)
        {
        }

        return 0;
    }

    private static void Print(IEnumerable<RoutineRun> runs, string what)
    {
        Console.Out.WriteLine($"{"MEDIA TYPE",-20} {what,-12} FIRST IDS");
        foreach (var run in runs)
        {
            Console.Out.WriteLine($"{run.MediaType,-20} {run.Count,-12} {(run.FirstIds.Count == 0 ? "-" : string.Join(",", run.FirstIds))}");
        }
    }
}
