namespace MediaLibrary.Storage;

internal static class StoredTime
{
    /// Now, to the millisecond: what a stored timestamp keeps on both databases, so a value
    /// written and read back compares equal (versions, events, conditional requests).
    public static DateTimeOffset StoredNow(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
