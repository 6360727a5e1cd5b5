using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
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
        string id, JsonNode body, ApiVersion version, CancellationToken ct)
    {
        // The media type never changes, so the request can be checked fully before the row is locked.
        var current = await store.GetAsync(id, ct, withUsage: false);
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

        // Most patches change neither keys nor links: then the write is one conditional UPDATE of
        // the row read above, in autocommit (no lock, no transaction, two round trips in all). A
        // writer that got there first makes it miss, and the locked path below decides.
        if (request.Version is null || request.Version == current.Version)
        {
            var (failure, updated, document) = Plan(current, request, version, storedKeys);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, current.Version));
            }

            if (document.NewKeys.Count == 0 && EntryStore.SameReferences(updated.Metadata, current.Metadata) &&
                await store.UpdateAloneAsync(updated, current.Version, ct))
            {
                return Patched(id, updated, request);
            }
        }

        var (connection, transaction, row) = await store.BeginUpdateAsync(id, ct);
        await using (connection)
        await using (transaction)
        {
            if (row is null)
            {
                return ApiErrors.EntryNotFound(id);
            }

            var (failure, updated, document) = Plan(row, request, version, storedKeys);
            if (failure is not null)
            {
                return failure;
            }

            if (updated is null)
            {
                return TypedResults.Ok(new PatchResponse(200, row.Version));
            }

            if (!await store.UpdateAsync(connection, transaction, updated, row, document.NewKeys, ct))
            {
                // Only possible if the row lock was not honoured; report it instead of losing a write.
                return VersionConflict(request.Version ?? row.Version, row.Version + 1);
            }

            await transaction.CommitAsync(ct);
            return Patched(id, updated, request);
        }
    }

    /// The operations applied to `row`: a failure, or the row to write (null when nothing changes).
    private (JsonHttpResult<ErrorEnvelope>? Failure, EntryRow? Updated, EntryDocument Document) Plan(
        EntryRow row, PatchRequest request, ApiVersion version, Dictionary<int, StoredKey> storedKeys)
    {
        var document = EntryDocument.From(row);
        if (request.Version is { } expected && expected != row.Version)
        {
            return (VersionConflict(expected, row.Version), null, document);
        }

        foreach (var operation in request.Operations)
        {
            if (Apply(document, operation, version, storedKeys) is { } failure)
            {
                return (failure, null, document);
            }
        }

        if (document.SameAs(row))
        {
            return (null, null, document);
        }

        return (null, new EntryRow
        {
            Id = row.Id, Version = row.Version + 1, MediaType = row.MediaType, SystemName = row.SystemName, ExternalId = row.ExternalId,
            Revoked = document.Revoked, RevokeNote = document.RevokeNote, Archived = document.Archived,
            Asset = document.Asset.ToJsonString(AppJson.Options), Metadata = document.Metadata.ToJsonString(AppJson.Options), Translations = document.Translations.ToJsonString(AppJson.Options),
            CreatedAt = row.CreatedAt, UpdatedAt = request.PreserveUpdatedAt ? row.UpdatedAt : EntryImporter.Now(time),
        }, document);
    }

    private Ok<PatchResponse> Patched(string id, EntryRow updated, PatchRequest request)
    {
        logger.LogInformation("Patched entry {EntryId} to version {Version} ({Operations})",
            id, updated.Version, string.Join(",", request.Operations.Select(o => o.GetType().Name)));
        return TypedResults.Ok(new PatchResponse(200, updated.Version));
    }

    private static JsonHttpResult<ErrorEnvelope>? Apply(EntryDocument entry, PatchOperation operation, ApiVersion version, Dictionary<int, StoredKey> storedKeys)
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
                entry.Asset = (JsonObject)replace.Asset.DeepClone();
                entry.NewKeys.Add(storedKeys[replace.Index]);
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
