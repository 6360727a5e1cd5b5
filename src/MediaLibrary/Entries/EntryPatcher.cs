using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MediaLibrary.Entries;

public sealed record PatchResponse(int Status, int Version);

/// PATCH /mediaLibrary/{id}: all operations or none, one conditional UPDATE (SPEC §3).
internal sealed class EntryPatcher(
    EntryStore store, MediaTypeCatalog types, AssetVerifier verifier, TimeProvider time, IOptions<MediaLibraryOptions> options, ILogger<EntryPatcher> logger)
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
        var request = PatchRequest.Parse(shape, body, type, version, options.Value.Limits.MaxPatches);
        if (request is null)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        var storedKeys = new Dictionary<int, StoredKey>();
        foreach (var replace in request.Operations.OfType<ReplaceAsset>())
        {
            if (await verifier.VerifyAsync(shape, replace.Asset, $"patches.{replace.Index}.value", type.Kind, ct) is { } stored)
            {
                storedKeys[replace.Index] = stored;
            }
        }

        if (!shape.Ok)
        {
            return ApiErrors.Validation(shape.Errors);
        }

        // Most patches make no side write and change no link: then the write is the conditional
        // UPDATE of the row read above with its events, without a row lock (PostgreSQL: one
        // statement in autocommit; SQLite: a short transaction). A writer that got there first
        // makes it miss, and the locked path below decides.
        var now = EntryImporter.Now(time);
        if (request.Version is null || request.Version == current.Version)
        {
            var (failure, updated, copy) = Plan(current, type, request, version, storedKeys, now);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, current.Version));
            }

            if (copy.SideWrites.Count == 0 && EntryStore.SameReferences(updated.Metadata, current.Metadata) &&
                EntryEvents.Changed(current, updated, type, actor, now) is { Count: > 0 } changes &&
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

            var (failure, updated, copy) = Plan(row, type, request, version, storedKeys, now);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, row.Version));
            }

            var changes = EntryEvents.Changed(row, updated, type, actor, now);
            if (!await store.UpdateAsync(session, updated, row, copy.SideWrites, changes, now, ct))
            {
                // Only possible if the row lock was not honoured; report it instead of losing a write.
                return VersionConflict(request.Version ?? row.Version, row.Version + 1);
            }

            await session.CommitAsync(ct);
            store.Committed();
            return Patched(id, updated, request);
        }
    }

    /// The operations applied to `row`: a failure, or the row to write (null when nothing changes)
    /// with the working copy that holds the side writes.
    private static (JsonHttpResult<ErrorEnvelope>? Failure, EntryRow? Updated, PatchWorkingCopy Copy) Plan(
        EntryRow row, MediaTypeDefinition type, PatchRequest request, ApiVersion version, Dictionary<int, StoredKey> storedKeys, DateTimeOffset now)
    {
        var copy = PatchWorkingCopy.From(row);
        if (request.Version is { } expected && expected != row.Version)
        {
            return (VersionConflict(expected, row.Version), null, copy);
        }

        foreach (var operation in request.Operations)
        {
            if (Apply(copy, operation, version, storedKeys) is { } failure)
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
            CreatedAt = row.CreatedAt, UpdatedAt = request.PreserveUpdatedAt ? row.UpdatedAt : now,
        }, copy);
    }

    private Ok<PatchResponse> Patched(string id, EntryRow updated, PatchRequest request)
    {
        logger.LogInformation("Patched entry {EntryId} to version {Version} ({Operations})",
            id, updated.Version, string.Join(",", request.Operations.Select(o => o.GetType().Name)));
        return TypedResults.Ok(new PatchResponse(200, updated.Version));
    }

    private static JsonHttpResult<ErrorEnvelope>? Apply(PatchWorkingCopy entry, PatchOperation operation, ApiVersion version, Dictionary<int, StoredKey> storedKeys)
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

            case RemoveAsset remove:
                var translation = entry.Translation(remove.Locale);
                if (translation is null)
                {
                    return ApiErrors.Validation(remove.Path("locale"), $"the entry has no translation for locale '{remove.Locale}'");
                }

                translation.Remove("asset");
                return null;

            default:
                throw new InvalidOperationException($"Unhandled operation {operation}.");
        }
    }

    private static JsonHttpResult<ErrorEnvelope> Conflict(string message) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, new { name = "Conflict", message });

    private static JsonHttpResult<ErrorEnvelope> VersionConflict(int expected, int current) =>
        ApiErrors.Result(StatusCodes.Status409Conflict, new
        {
            name = "Conflict",
            message = $"Version: Expected {expected} to be equal to {current}",
            expectedVersion = expected,
            currentVersion = current,
        });
}
