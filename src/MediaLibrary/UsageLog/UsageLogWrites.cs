using MediaLibrary.Entries;
using MediaLibrary.Storage;

namespace MediaLibrary.UsageLog;

/// A usage-log change a PATCH makes beside the entry's row: it counts as an update of the entry
/// (version +1, `mediaLibraryEntry.update`).
internal abstract record UsageLogWrite : ISideWrite
{
    public abstract Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct);
}

internal sealed record InsertUsageLogEntry(UsageLogRow Row) : UsageLogWrite
{
    public override Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        UsageLogStore.InsertAsync(session, Row, ignoreDuplicate: false, ct);
}

internal sealed record UpdateUsageLogEntryWrite(UsageLogRow Row) : UsageLogWrite
{
    public override Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        UsageLogStore.UpdateAsync(session, Row, ct);
}

internal sealed record DeleteUsageLogEntry(string Id) : UsageLogWrite
{
    public override Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        UsageLogStore.DeleteAsync(session, Id, ct);
}
