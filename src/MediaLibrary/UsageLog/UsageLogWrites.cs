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

/// Decides a use's billing; only an unresolved one (the PATCH checked it under the entry's lock).
internal sealed record SetUsageLogBillingWrite(string Id, bool Billing) : UsageLogWrite
{
    public override Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        session.ExecuteAsync("UPDATE usage_log SET billing = CAST(@billing AS BOOLEAN) WHERE id = @id AND billing IS NULL", ct, ("billing", Billing), ("id", Id));
}
