using System.Text.Json.Nodes;
using MediaLibrary.Storage;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using MediaLibrary.UsageLog;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaLibrary.Entries;

public sealed record PatchResponse(int Status, int Version);

/// One entry of a batch PATCH: its id and its body as a single PATCH would take it.
internal sealed record BatchPatchItem(string Id, JsonObject Body);

/// One result of a batch PATCH (SPEC §16), in request order: the single PATCH's answer for this entry.
public sealed record BatchPatchResult(
    string Id, bool Ok, int Status, int? Version = null, string? Error = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_details")] object? ErrorDetails = null);

/// PATCH /mediaLibrary/{id}: all operations or none, one conditional UPDATE (SPEC §3).
internal sealed class EntryPatcher(
    EntryStore store, MediaTypeCatalog types, UsagePurposeCatalog purposes, AssetVerifier verifier, TimeProvider time, IOptions<MediaLibraryOptions> options, ILogger<EntryPatcher> logger)
{
    public async Task<Results<Ok<PatchResponse>, JsonHttpResult<ErrorEnvelope>>> PatchAsync(
        string id, JsonNode body, ApiVersion version, Actor actor, CancellationToken ct)
    {
        // The media type never changes, so the request can be checked fully before the row is locked.
        var current = await store.GetAsync(id, ct, withReferenceCounts: false);
        if (current is null)
        {
            return ApiErrors.EntryNotFound(id);
        }

        if (types.Find(current.MediaType) is not { } type)
        {
            // The project config dropped this media type after the entry was created.
            return Conflict($"The entry's media type '{current.MediaType}' is not in the project config any more; it cannot be validated or patched.");
        }

        var shape = new JsonShape();
        var request = PatchRequest.Parse(shape, body, type, purposes, version, options.Value.Limits.MaxPatches);
        if (request is null)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        var storedKeys = await VerifyAssetsAsync(shape, request.Operations, type, ct);

        if (!shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        // Most patches make no side write and change no link: then the write is the conditional
        // UPDATE of the row read above with its events, without a row lock (PostgreSQL: one
        // statement in autocommit; SQLite: a short transaction). A writer that got there first
        // makes it miss, and the locked path below decides.
        var now = time.StoredNow();
        // Usage-log operations read the log under the row lock (compare-and-set of oldValue).
        var usesLog = request.Operations.Any(o => o is UsageLogOperation);
        if (!usesLog && (request.Version is null || request.Version == current.Version))
        {
            var (failure, updated, copy) = Plan(current, type, request, version, storedKeys, now, actor, log: null);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, current.Version));
            }

            if (copy.SideWrites.Count == 0 && EntryStore.SameReferences(updated.Metadata, current.Metadata) &&
                EntryEvents.Changed(current, updated, type, actor, now, usageLogChanged: false) is { Count: > 0 } changes &&
                await store.UpdateAloneAsync(updated, current.Version, changes, now, ct))
            {
                return Patched(id, updated, request);
            }
        }

        var (session, row) = await store.BeginUpdateAsync(id, ct);
        await using (session)
        {
            if (row is null)
            {
                return ApiErrors.EntryNotFound(id);
            }

            // Only the log entries the operations name are read (an entry's log may be long).
            var log = usesLog ? await UsageLogStore.FindAsync(session, id, NamedLogEntries(request), ct) : null;
            var (failure, updated, copy) = Plan(row, type, request, version, storedKeys, now, actor, log);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, row.Version));
            }

            var changes = EntryEvents.Changed(row, updated, type, actor, now, usageLogChanged: copy.SideWrites.Any(w => w is UsageLogWrite));
            bool written;
            try
            {
                written = await store.UpdateAsync(session, updated, row, copy.SideWrites, changes, now, ct);
            }
            catch (Lifecycle.SweptUploadException e)
            {
                // The transaction is undone when the session is disposed.
                return ApiErrors.Validation(SweptKeyPath(request, storedKeys, e.Key), e.Message);
            }

            if (!written)
            {
                // Only possible if the row lock was not honoured; report it instead of losing a write.
                return VersionConflict(request.Version ?? row.Version, row.Version + 1);
            }

            await session.CommitAsync(ct);
            return Patched(id, updated, request);
        }
    }

    /// PATCH /mediaLibrary (SPEC §16): each entry exactly as its own PATCH would go (same parser, same
    /// plan, same answers), each atomic on its own, in one transaction: the rows are read in one
    /// query, locked in one, and the entries whose change is the row alone (no usage-log, key or link
    /// writes: nearly all) are written by one UPDATE with one append of their events. An entry with
    /// side writes goes in a savepoint of its own.
    public async Task<List<BatchPatchResult>> PatchManyAsync(IReadOnlyList<BatchPatchItem> items, ApiVersion version, Actor actor, CancellationToken ct)
    {
        var results = new BatchPatchResult?[items.Count];
        var current = (await store.GetManyAsync([.. items.Select(i => i.Id)], ct)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var planned = new List<BatchPlan>();
        for (var i = 0; i < items.Count; i++)
        {
            var id = items[i].Id;
            if (!current.TryGetValue(id, out var row))
            {
                results[i] = Failed(id, ApiErrors.EntryNotFound(id));
                continue;
            }

            if (types.Find(row.MediaType) is not { } type)
            {
                results[i] = Failed(id, Conflict($"The entry's media type '{row.MediaType}' is not in the project config any more; it cannot be validated or patched."));
                continue;
            }

            var shape = new JsonShape();
            var request = PatchRequest.Parse(shape, items[i].Body, type, purposes, version, options.Value.Limits.MaxPatches);
            var storedKeys = await VerifyAssetsAsync(shape, request?.Operations ?? [], type, ct);

            if (request is null || !shape.Ok)
            {
                results[i] = Failed(id, ApiErrors.Validation(shape.Errors));
                continue;
            }

            planned.Add(new BatchPlan(i, id, type, request, storedKeys, row));
        }

        if (planned.Count > 0)
        {
            // A deadlock aborted the transaction with nothing written: every planned entry goes again.
            await Deadlocks.RetryAsync(async () =>
            {
                await WriteManyAsync(planned, results, version, actor, ct);
                return true;
            }, logger, "A batch PATCH", ct);
        }

        logger.LogInformation("Batch PATCH of {Entries} entries: {Patched} patched, {Failed} failed",
            items.Count, results.Count(r => r!.Ok), results.Count(r => !r!.Ok));
        return [.. results.Select(r => r!)];
    }

    /// One entry of a batch on its way: its request, checked, and the row it was checked against.
    private sealed record BatchPlan(int Index, string Id, MediaTypeDefinition Type, PatchRequest Request, Dictionary<int, StoredKey> Keys, EntryRow Read);

    private async Task WriteManyAsync(List<BatchPlan> planned, BatchPatchResult?[] results, ApiVersion version, Actor actor, CancellationToken ct)
    {
        var now = time.StoredNow();
        // The operations are applied to the rows as read, before the writer's lock: under the lock an
        // entry whose version is still the one read has exactly that row (every change bumps the
        // version), and only the others are planned again. Usage-log operations read the log under
        // the lock, so they are planned there.
        var early = new Dictionary<int, (JsonHttpResult<ErrorEnvelope>? Failure, EntryRow? Updated, PatchWorkingCopy Copy)>();
        foreach (var plan in planned.Where(p => !p.Request.Operations.Any(o => o is UsageLogOperation)))
        {
            early[plan.Index] = Plan(plan.Read, plan.Type, plan.Request, version, plan.Keys, now, actor, log: null);
        }

        var (session, rows) = await store.BeginUpdateManyAsync([.. planned.Select(p => p.Id)], ct);
        await using (session)
        {
            var alone = new List<(EntryRow Updated, int ExpectedVersion)>();
            var events = new List<NewEvent>();
            foreach (var plan in planned)
            {
                var (index, id, type, request, storedKeys, read) = plan;
                if (!rows.TryGetValue(id, out var row))
                {
                    // Deleted between the read and the lock.
                    results[index] = Failed(id, ApiErrors.EntryNotFound(id));
                    continue;
                }

                // The same version of the same entry (one deleted and imported again under its id starts over at 1).
                var (failure, updated, copy) = row.Version == read.Version && row.CreatedAt == read.CreatedAt && early.TryGetValue(index, out var ready)
                    ? ready
                    : Plan(row, type, request, version, storedKeys, now, actor,
                        request.Operations.Any(o => o is UsageLogOperation) ? await UsageLogStore.FindAsync(session, id, NamedLogEntries(request), ct) : null);
                if (failure is not null)
                {
                    results[index] = Failed(id, failure);
                    continue;
                }

                if (updated is null)
                {
                    results[index] = new BatchPatchResult(id, true, 200, row.Version);
                    continue;
                }

                var changes = EntryEvents.Changed(row, updated, type, actor, now, usageLogChanged: copy.SideWrites.Any(w => w is UsageLogWrite));
                if (copy.SideWrites.Count == 0 && EntryStore.SameReferences(updated.Metadata, row.Metadata))
                {
                    alone.Add((updated, row.Version));
                    events.AddRange(changes);
                    results[index] = new BatchPatchResult(id, true, 200, updated.Version);
                    continue;
                }

                try
                {
                    await session.SavepointAsync("entry", () => store.UpdateAsync(session, updated, row, copy.SideWrites, changes, now, ct), ct);
                    results[index] = new BatchPatchResult(id, true, 200, updated.Version);
                }
                catch (Lifecycle.SweptUploadException e)
                {
                    results[index] = Failed(id, ApiErrors.Validation(SweptKeyPath(request, storedKeys, e.Key), e.Message));
                }
            }

            await store.UpdateManyAsync(session, alone, events, now, ct);
            await session.CommitAsync(ct);
        }
    }

    private static BatchPatchResult Failed(string id, JsonHttpResult<ErrorEnvelope> failure) =>
        new(id, false, failure.Value!.Status, Error: failure.Value.Error, ErrorDetails: failure.Value.ErrorDetails);

    /// The operations applied to `row`: a failure, or the row to write (null when nothing changes)
    /// with the working copy that holds the side writes.
    private (JsonHttpResult<ErrorEnvelope>? Failure, EntryRow? Updated, PatchWorkingCopy Copy) Plan(
        EntryRow row, MediaTypeDefinition type, PatchRequest request, ApiVersion version, Dictionary<int, StoredKey> storedKeys, DateTimeOffset now,
        Actor actor, List<UsageLogRow>? log)
    {
        var copy = PatchWorkingCopy.From(row);
        copy.UsageLog = log;
        if (request.Version is { } expected && expected != row.Version)
        {
            return (VersionConflict(expected, row.Version), null, copy);
        }

        foreach (var operation in request.Operations)
        {
            if (Apply(copy, operation, version, storedKeys, now, actor) is { } failure)
            {
                return (failure, null, copy);
            }
        }

        if (!copy.ChangesAnything(row))
        {
            return (null, null, copy);
        }

        var metadata = copy.Metadata.ToJsonString(AppJson.Options);
        var boundaries = ValidityBoundaries.Future(type, metadata, now);
        if (!boundaries.SequenceEqual(ValidityBoundaries.Future(type, row.Metadata, now)))
        {
            copy.SideWrites.Add(new ReplaceValidityBoundaries(boundaries));
        }

        return (null, new EntryRow
        {
            Id = row.Id, Version = row.Version + 1, MediaType = row.MediaType, SystemName = row.SystemName, ExternalId = row.ExternalId,
            Revoked = copy.Revoked, RevokeNote = copy.RevokeNote, Archived = copy.Archived,
            Asset = copy.Asset.ToJsonString(AppJson.Options), Metadata = metadata, Translations = copy.Translations.ToJsonString(AppJson.Options),
            CreatedAt = row.CreatedAt, UpdatedAt = request.PreserveUpdatedAt ? row.UpdatedAt : now, ImageEdits = copy.ImageEdits,
        }, copy);
    }

    /// Every asset the operations name must be stored (an upload or an import's fetch), of the entry's kind.
    private async Task<Dictionary<int, StoredKey>> VerifyAssetsAsync(JsonShape shape, IEnumerable<PatchOperation> operations, MediaTypeDefinition type, CancellationToken ct)
    {
        var storedKeys = new Dictionary<int, StoredKey>();
        foreach (var operation in operations.OfType<IAssetOperation>().Where(o => o.Asset is not null))
        {
            if (await verifier.VerifyAsync(shape, operation.Asset!, $"patches.{operation.Index}.{operation.AssetField}", type.Kind, ct) is { } stored)
            {
                storedKeys[operation.Index] = stored;
            }
        }

        return storedKeys;
    }

    /// The field of the operation whose upload a sweep took meanwhile.
    private static string SweptKeyPath(PatchRequest request, Dictionary<int, StoredKey> storedKeys, string key)
    {
        var operation = request.Operations.OfType<IAssetOperation>().First(o => storedKeys.TryGetValue(o.Index, out var k) && k.Key == key);
        return $"patches.{operation.Index}.{operation.AssetField}.key";
    }

    private Ok<PatchResponse> Patched(string id, EntryRow updated, PatchRequest request)
    {
        logger.LogInformation("Patched entry {EntryId} to version {Version} ({Operations})",
            id, updated.Version, string.Join(",", request.Operations.Select(o => o.GetType().Name)));
        return TypedResults.Ok(new PatchResponse(200, updated.Version));
    }

    private JsonHttpResult<ErrorEnvelope>? Apply(
        PatchWorkingCopy entry, PatchOperation operation, ApiVersion version, Dictionary<int, StoredKey> storedKeys, DateTimeOffset now, Actor actor)
    {
        switch (operation)
        {
            case SetMetadataProperty set:
                if (set.Value is null)
                {
                    entry.Metadata.Remove(set.PropertyName);
                }
                else
                {
                    entry.Metadata[set.PropertyName] = set.Value.DeepClone();
                }

                return null;

            case ReplaceAsset replace:
                // The same asset again changes nothing (its key is in the history already).
                if (!JsonNode.DeepEquals(entry.Asset, replace.Asset))
                {
                    entry.Asset = (JsonObject)replace.Asset.DeepClone();
                    entry.SideWrites.Add(new AddKey(storedKeys[replace.Index]));
                }

                return null;

            case RevokeAsset revoke:
                if (entry.Revoked)
                {
                    // Before 2026-01 a second revoke was accepted and changed nothing.
                    return version >= ApiVersion.V2026_01 ? Conflict("The asset is already revoked.") : null;
                }

                entry.Revoked = true;
                entry.RevokeNote = revoke.Note;
                return null;

            case UnrevokeAsset:
                if (!entry.Revoked)
                {
                    return Conflict("The asset is not revoked.");
                }

                entry.Revoked = false;
                entry.RevokeNote = null;
                return null;

            case ArchiveEntry:
                entry.Archived = true;
                return null;

            case SetImageEdits edits:
                entry.ImageEdits = edits.Value?.ToJson().ToJsonString(AppJson.Options);
                return null;

            case UnarchiveEntry:
                entry.Archived = false;
                return null;

            case RemoveAsset remove:
                var translation = entry.Translation(remove.Locale);
                if (translation is null)
                {
                    return ApiErrors.Validation(remove.Path("locale"), $"the entry has no translation for locale '{remove.Locale}'");
                }

                translation.Remove("asset");
                return null;

            case SetTranslation set:
                var translated = entry.Translation(set.Locale);
                if (translated is null)
                {
                    if (entry.Translations.Count >= EntryImporter.MaxTranslations)
                    {
                        return ApiErrors.Validation(set.Path("locale"), $"the entry has {EntryImporter.MaxTranslations} translations already");
                    }

                    translated = new JsonObject { ["locale"] = set.Locale };
                    entry.Translations.Add(translated);
                }

                if (set.Metadata is not null)
                {
                    translated["metadata"] = set.Metadata.DeepClone();
                }

                if (set.Asset is not null && !JsonNode.DeepEquals(translated["asset"], set.Asset))
                {
                    if (translated["asset"] is not null && !set.Replaceable)
                    {
                        return ApiErrors.Validation(set.Path("asset"), $"the translation '{set.Locale}' has an asset, and assets of media type '{entry.MediaType}' are not replaceable");
                    }

                    translated["asset"] = set.Asset.DeepClone();
                    entry.SideWrites.Add(new AddKey(storedKeys[set.Index]));
                }

                return null;

            case RemoveTranslation remove:
                var removedTranslation = entry.Translation(remove.Locale);
                if (removedTranslation is null)
                {
                    return ApiErrors.Validation(remove.Path("locale"), $"the entry has no translation for locale '{remove.Locale}'");
                }

                entry.Translations.Remove(removedTranslation);
                return null;

            case AddUsageLogEntry add:
                var added = new UsageLogRow
                {
                    Id = UsageLogRow.NewId(), EntryId = entry.Id, ReportingDate = now, ReportedBy = actor.Name,
                };
                Assign(added, add.Value);
                entry.UsageLog!.Add(added);
                entry.SideWrites.Add(new InsertUsageLogEntry(added));
                return null;

            case UpdateUsageLogEntry update:
                if (LogEntry(entry, update, update.UsageLogEntryId, out var existing) is { } missing)
                {
                    return missing;
                }

                if (update.OldValue is { } expected && !expected.SameAs(existing!.Value()))
                {
                    return ApiErrors.Result(StatusCodes.Status409Conflict, new
                    {
                        name = "Conflict",
                        message = $"The usage log entry '{existing.Id}' is not as oldValue says: it was changed meanwhile.",
                        currentValue = existing.Value().ToJson(),
                    });
                }

                if (!update.Value.SameAs(existing!.Value()))
                {
                    Assign(existing, update.Value);
                    entry.SideWrites.Add(new UpdateUsageLogEntryWrite(existing));
                }

                return null;

            case RemoveUsageLogEntry remove:
                if (LogEntry(entry, remove, remove.UsageLogEntryId, out var removed) is { } unknown)
                {
                    return unknown;
                }

                entry.UsageLog!.Remove(removed!);
                entry.SideWrites.Add(new DeleteUsageLogEntry(removed!.Id));
                return null;

            case SetUsageLogBilling decide:
                var billed = entry.UsageLog!.FirstOrDefault(r => r.Id == decide.UsageLogEntryId);
                if (billed is null)
                {
                    return ApiErrors.Validation(decide.Path("usageLogEntryId"), $"the entry has no usage log entry '{decide.UsageLogEntryId}'");
                }

                if (billed.Billing is { } decided)
                {
                    return ApiErrors.Result(StatusCodes.Status409Conflict, new
                    {
                        name = "BillingResolved",
                        message = $"The billing of usage log entry '{billed.Id}' is decided already (billing: {(decided ? "true" : "false")}).",
                        billing = decided,
                    });
                }

                billed.Billing = decide.Billing;
                entry.SideWrites.Add(new SetUsageLogBillingWrite(billed.Id, decide.Billing));
                return null;

            default:
                throw new InvalidOperationException($"Unhandled operation {operation}.");
        }
    }

    /// The log entry an update or remove names: 400 naming the patch when there is none, or when it
    /// belongs to an internal purpose (recorded by the service, not changed through PATCH).
    private JsonHttpResult<ErrorEnvelope>? LogEntry(PatchWorkingCopy entry, PatchOperation operation, string id, out UsageLogRow? row)
    {
        row = entry.UsageLog!.FirstOrDefault(r => r.Id == id);
        if (row is null)
        {
            return ApiErrors.Validation(operation.Path("usageLogEntryId"), $"the entry has no usage log entry '{id}'");
        }

        return purposes.Find(row.Purpose) is { Internal: true }
            ? ApiErrors.Validation(operation.Path("usageLogEntryId"), $"'{id}' is of the internal purpose '{row.Purpose}': it cannot be changed through PATCH")
            : null;
    }

    private static string[] NamedLogEntries(PatchRequest request) =>
        [.. request.Operations.Select(o => o switch
        {
            UpdateUsageLogEntry update => update.UsageLogEntryId,
            RemoveUsageLogEntry remove => remove.UsageLogEntryId,
            SetUsageLogBilling decide => decide.UsageLogEntryId,
            _ => null,
        }).OfType<string>().Distinct()];

    private static void Assign(UsageLogRow row, UsageValue value)
    {
        row.Purpose = value.Purpose;
        row.State = value.State;
        row.PublicationDate = value.PublicationDate;
        row.Url = value.Url;
        row.Params = value.Params.ToJsonString(AppJson.Options);
    }

    private static JsonHttpResult<ErrorEnvelope> Conflict(string message) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, new { name = "Conflict", message });

    internal static JsonHttpResult<ErrorEnvelope> VersionConflict(int expected, int current) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, new
        {
            name = "Conflict",
            message = $"Version: Expected {expected} to be equal to {current}",
            expectedVersion = expected,
            currentVersion = current,
        });
}
