namespace MediaLibrary.Lifecycle;

/// `MediaLibrary:Lifecycle` (SPEC §14).
public sealed class LifecycleOptions
{
    /// How often the deletion routines run (one process at a time across all processes); the
    /// first run comes one interval, at most a minute, after the start.
    public double RoutineMinutes { get; set; } = 30;

    /// Uploads and fetched sources that no entry has named after this many hours are removed.
    public double OrphanUploadHours { get; set; } = 24;

    /// Entries a routine deletes per transaction: short enough never to hold SQLite's writer long.
    public int RoutineBatch { get; set; } = 50;

    /// Whether this process erases deleted entries' bytes and sweeps orphan uploads in the
    /// background. Off, another process (or this one after a restart) does it; tests turn it off
    /// to stand for a process killed between a delete's commit and the erasure.
    public bool EraseInBackground { get; set; } = true;
}
