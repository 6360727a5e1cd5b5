using System.Text.Json.Nodes;
using MediaLibrary.Storage;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Entries;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Imports;

/// The job an item belongs to, as the processor needs it.
internal sealed record ImportJobInfo(string Id, ImportKind Kind, string SystemName, Actor Actor);

/// One item of an import job, from URL to entry: metadata checked first (no download for an item
/// that cannot be stored), the source fetched and inspected like an upload, then the entry created,
/// updated or left alone (same bytes and metadata: `skipped`), in one transaction with the item's
/// outcome. Returns a transient problem when the item should be tried again later.
internal sealed class ImportItemProcessor(
    ImportJobs jobs, ImportFetcher fetcher, EntryStore entries, MediaTypeCatalog types, IBlobStore blobs, Storage.Database database, WebhookSender sender,
    IOptions<MediaLibraryOptions> library, TimeProvider time, ILogger<ImportItemProcessor> logger)
{
    public async Task<string?> ProcessAsync(ImportItemRow item, ImportJobInfo job, string worker, CancellationToken ct)
    {
        if (Check(item, job) is { } problem)
        {
            await FailAsync(item, worker, problem, ct);
            return null;
        }

        var spoolDirectory = library.Value.SpoolDirectory;
        Directory.CreateDirectory(spoolDirectory);
        var spool = Path.Combine(spoolDirectory, Guid.NewGuid().ToString("N") + ".import");
        try
        {
            var fetched = await fetcher.FetchAsync(item.Url, spool, ct);
            if (fetched.File is not { } file)
            {
                if (fetched.Transient)
                {
                    return fetched.Problem;
                }

                await FailAsync(item, worker, fetched.Problem!, ct);
                return null;
            }

            var inspection = SpooledAsset.Inspect(spool, file, library.Value.Upload.AllowedTypes, job.Kind.AssetKind);
            if (!inspection.Ok)
            {
                await FailAsync(item, worker, inspection.Problem!, ct);
                return null;
            }

            await StoreAsync(item, job, worker, spool, file, inspection, ct);
            return null;
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// What is wrong with the item before anything is fetched: its media type or its metadata.
    private string? Check(ImportItemRow item, ImportJobInfo job)
    {
        if (types.Find(item.MediaType) is not { } type)
        {
            return $"the media type '{item.MediaType}' is not in the project config any more";
        }

        var errors = MetadataRules.Check(type, JsonNode.Parse(item.Metadata)!.AsObject(), requireRequired: true);
        return errors.Count == 0 ? null : "invalid metadata: " + string.Join("; ", errors.Select(e => $"{e.MetadataProperty}: {e.Message}"));
    }

    private async Task StoreAsync(ImportItemRow item, ImportJobInfo job, string worker, string spool, Spooled file, Inspection inspection, CancellationToken ct)
    {
        var type = types.Find(item.MediaType)!;
        var metadata = MetadataRules.WithoutNulls(JsonNode.Parse(item.Metadata)!.AsObject());
        string? key = null;
        JsonObject NewAsset()
        {
            var asset = new JsonObject { ["key"] = key, ["size"] = file.Size };
            if (inspection.Probe!.Width is { } width && inspection.Probe.Height is { } height)
            {
                asset["width"] = width;
                asset["height"] = height;
            }

            if (inspection.Probe.Duration is { } duration)
            {
                asset["duration"] = duration;
            }

            asset["mimeType"] = inspection.Type!.MimeType;
            asset["filename"] = item.FileName;
            asset["sha256"] = file.Sha256;
            return asset;
        }

        async Task<string> PutAsync()
        {
            key = SpooledAsset.NewKey(time, inspection.Type!);
            await Lifecycle.Uploads.RecordAsync(database, key, time.GetUtcNow(), ct);
            await blobs.PutFileAsync(key, spool, inspection.Type!.MimeType, ct);
            Hosting.Telemetry.StoredBytes.Add(file.Size, new KeyValuePair<string, object?>("source", "import"));
            return key;
        }

        // Twice at most: an insert that lost the race for (systemName, id) updates the winner's entry.
        for (var round = 0; round < 2; round++)
        {
            var existing = (await entries.FindByExternalIdAsync(item.ExternalId, job.SystemName, ct)).FirstOrDefault();
            if (existing is null)
            {
                key ??= await PutAsync();
                var now = time.StoredNow();
                var asset = NewAsset();
                var row = new EntryRow
                {
                    Id = EntryImporter.NewId(), Version = 1, MediaType = type.Handle, SystemName = job.SystemName, ExternalId = item.ExternalId,
                    Asset = asset.ToJsonString(AppJson.Options), Metadata = metadata.ToJsonString(AppJson.Options), Translations = "[]",
                    CreatedAt = now, UpdatedAt = now,
                };
                var outcome = new ItemOutcome(ImportJobs.ItemSuccess, null, Result(row.Id, asset));
                var completion = Completion.NotMine;
                var inserted = await entries.InsertAsync(row, [new StoredKey(key, inspection.Type!.MimeType, file.Size, file.Sha256)],
                    EntryEvents.Created(row, job.Actor), ValidityBoundaries.Future(type, row.Metadata, now), ct,
                    async session => (completion = await jobs.CompleteAsync(session, item, worker, outcome, ct)) != Completion.NotMine);
                if (inserted == InsertOutcome.Inserted)
                {
                    Completed(completion);
                    logger.LogInformation("Import {JobId} item {Position}: created entry {EntryId} from {Url} ({Size} bytes)",
                        job.Id, item.Position, row.Id, ImportFetcher.Redacted(item.Url), file.Size);
                }

                if (inserted == InsertOutcome.SweptKey)
                {
                    await FailAsync(item, worker, "the fetched file was removed as an orphan before its entry was written", ct);
                    return;
                }

                if (inserted != InsertOutcome.DuplicateExternalId)
                {
                    return;
                }

                continue;
            }

            if (existing.MediaType != type.Handle)
            {
                await FailAsync(item, worker, $"an entry for this id exists with media type '{existing.MediaType}', not '{type.Handle}'", ct);
                return;
            }

            var current = JsonNode.Parse(existing.Asset)!.AsObject();
            var sameBytes = current["sha256"]?.GetValue<string>() == file.Sha256;
            var sameMetadata = JsonNode.DeepEquals(JsonNode.Parse(existing.Metadata), metadata);
            if (sameBytes && sameMetadata)
            {
                await CompleteAloneAsync(item, worker, new ItemOutcome(ImportJobs.ItemSkipped, "already exists", Result(existing.Id, current)), ct);
                return;
            }

            if (!sameBytes)
            {
                key ??= await PutAsync();
            }

            await UpdateAsync(item, job, worker, existing.Id, sameBytes ? null : NewAsset(), metadata, type, file, inspection, ct);
            return;
        }
    }

    /// An existing entry gets the new asset (when the bytes changed) and the new metadata: version +1, an update event.
    private async Task UpdateAsync(ImportItemRow item, ImportJobInfo job, string worker, string entryId, JsonObject? asset, JsonObject metadata,
        MediaTypeDefinition type, Spooled file, Inspection inspection, CancellationToken ct)
    {
        var (session, row) = await entries.BeginUpdateAsync(entryId, ct);
        await using (session)
        {
            if (row is null)
            {
                // Deleted meanwhile: there is no delete endpoint, so this cannot happen; fail loudly rather than guess.
                await FailAsync(item, worker, "the existing entry disappeared while it was being updated", ct);
                return;
            }

            var now = time.StoredNow();
            var updated = new EntryRow
            {
                Id = row.Id, Version = row.Version + 1, MediaType = row.MediaType, SystemName = row.SystemName, ExternalId = row.ExternalId,
                Revoked = row.Revoked, RevokeNote = row.RevokeNote, Archived = row.Archived,
                Asset = asset?.ToJsonString(AppJson.Options) ?? row.Asset, Metadata = metadata.ToJsonString(AppJson.Options),
                Translations = row.Translations, CreatedAt = row.CreatedAt, UpdatedAt = now,
            };
            var sideWrites = new List<ISideWrite>();
            if (asset is not null)
            {
                sideWrites.Add(new AddKey(new StoredKey(asset["key"]!.GetValue<string>(), inspection.Type!.MimeType, file.Size, file.Sha256)));
            }

            var boundaries = ValidityBoundaries.Future(type, updated.Metadata, now);
            if (!boundaries.SequenceEqual(ValidityBoundaries.Future(type, row.Metadata, now)))
            {
                sideWrites.Add(new ReplaceValidityBoundaries(boundaries));
            }

            var result = Result(row.Id, asset ?? JsonNode.Parse(row.Asset)!.AsObject());
            var changes = EntryEvents.Changed(row, updated, type, job.Actor, now);
            if (!await entries.UpdateAsync(session, updated, row, sideWrites, changes, now, ct))
            {
                return;
            }

            var completion = await jobs.CompleteAsync(session, item, worker, new ItemOutcome(ImportJobs.ItemSuccess, null, result), ct);
            if (completion == Completion.NotMine)
            {
                return;
            }

            await session.CommitAsync(ct);
            Completed(completion);
            logger.LogInformation("Import {JobId} item {Position}: updated entry {EntryId} to version {Version} from {Url}",
                job.Id, item.Position, row.Id, updated.Version, ImportFetcher.Redacted(item.Url));
        }
    }

    public async Task FailAsync(ImportItemRow item, string worker, string reason, CancellationToken ct)
    {
        logger.LogInformation("Import {JobId} item {Position} failed: {Reason}", item.JobId, item.Position, reason);
        await CompleteAloneAsync(item, worker, ItemOutcome.Failed(reason), ct);
    }

    private async Task CompleteAloneAsync(ImportItemRow item, string worker, ItemOutcome outcome, CancellationToken ct) =>
        Completed(await jobs.CompleteAloneAsync(item, worker, outcome, ct));

    /// A finished job's webhook is queued: the sender goes now instead of at its next look.
    private void Completed(Completion completion)
    {
        if (completion == Completion.FinishedJob)
        {
            sender.Wake(ImportJobs.WebhookChannel);
        }
    }

    /// What the status shows of the entry (the `url` is added when it is shown, from the key).
    private static JsonObject Result(string mediaId, JsonObject asset)
    {
        var result = new JsonObject { ["mediaId"] = mediaId, ["key"] = asset["key"]?.DeepClone() };
        foreach (var name in new[] { "width", "height", "mimeType" })
        {
            if (asset[name] is { } value)
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }
}
