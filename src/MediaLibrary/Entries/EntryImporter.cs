using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Storage;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

/// One result of `POST /import/mediaLibrary`, in request order.
public sealed record ImportResult(
    bool Ok, int Status, string? Id = null, string? Error = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_details")] object? ErrorDetails = null);

public sealed record ImportPathError(string Path, string Message);

/// Validates and stores one imported entry; anything wrong with it is its own result (SPEC §4).
internal sealed partial class EntryImporter(EntryStore store, MediaTypeCatalog types, AssetVerifier verifier, TimeProvider time, ILogger<EntryImporter> logger)
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    /// `POST /import/mediaLibrary`: every item checked on its own, then the valid ones stored, each
    /// atomic on its own (<see cref="EntryStore.InsertManyAsync"/>); results in request order.
    public async Task<List<ImportResult>> ImportManyAsync(IReadOnlyList<JsonNode?> items, Actor actor, CancellationToken ct)
    {
        var results = new ImportResult?[items.Count];
        var ready = new List<(int Index, NewEntry Entry)>();
        for (var i = 0; i < items.Count; i++)
        {
            var (failure, entry) = await PrepareAsync(items[i], actor, ct);
            if (failure is not null)
            {
                results[i] = failure;
            }
            else
            {
                ready.Add((i, entry!));
            }
        }

        if (ready.Count > 0)
        {
            var outcomes = await Deadlocks.RetryAsync(() => store.InsertManyAsync([.. ready.Select(r => r.Entry)], ct), logger, "An import", ct);
            for (var j = 0; j < ready.Count; j++)
            {
                results[ready[j].Index] = Result(ready[j].Entry.Row, outcomes[j]);
            }
        }

        return [.. results.Select(r => r!)];
    }

    private static ImportResult Result(EntryRow row, InsertOutcome outcome) => outcome switch
    {
        InsertOutcome.Inserted => new ImportResult(true, 200, row.Id),
        InsertOutcome.DuplicateId => Conflict($"id is not unique: '{row.Id}'"),
        InsertOutcome.SweptKey => Conflict("asset.key: the upload was removed (no entry named it within the configured hours); upload the file again"),
        _ => Conflict($"externalId is not unique: '{row.ExternalId}' (systemName: '{row.SystemName}')"),
    };

    /// One item checked and made into the rows it would write, or the item's failure.
    private async Task<(ImportResult? Failure, NewEntry? Entry)> PrepareAsync(JsonNode? item, Actor actor, CancellationToken ct)
    {
        var shape = new JsonShape();
        var obj = shape.Object(item, "", RequestSchema<ImportEntryRequest>.Properties);
        if (obj is null)
        {
            return (Invalid(shape), null);
        }

        var id = shape.String(obj, "", "id", required: false, maxLength: 32);
        if (id is not null && !ImportId().IsMatch(id))
        {
            shape.Add("id", "must match ^[a-zA-Z0-9-]{1,32}$");
        }

        var systemName = shape.String(obj, "", "systemName", required: false, maxLength: 200);
        var externalId = shape.String(obj, "", "externalId", required: false, maxLength: 200);
        if (externalId is not null && systemName is null)
        {
            shape.Add("externalId", "requires systemName");
        }

        var handle = shape.String(obj, "", "mediaType", required: true, maxLength: 100);
        var type = types.Find(handle);
        if (handle is not null && type is null)
        {
            shape.Add("mediaType", $"'{handle}' is not a media type of this project (known: {string.Join(", ", types.All.Select(t => t.Handle))})");
        }

        if (type is null)
        {
            return (Invalid(shape), null);
        }

        var asset = AssetSchema.Read(shape, obj["asset"], "asset", type.Kind);
        var metadata = obj["metadata"] is null ? [] : obj["metadata"] as JsonObject;
        if (metadata is null)
        {
            shape.Add("metadata", "must be an object");
        }

        var translations = ReadTranslations(shape, obj["translations"], type, out var translationMetadataErrors);
        if (!shape.Ok)
        {
            return (Invalid(shape), null);
        }

        var metadataErrors = MetadataRules.Check(type, metadata!, requireRequired: true);
        metadataErrors.AddRange(translationMetadataErrors);
        if (metadataErrors.Count > 0)
        {
            return (new ImportResult(false, 400, Error: "ValidationError",
                ErrorDetails: new { message = "Metadata validation failed.", errors = metadataErrors }), null);
        }

        var keys = new List<StoredKey>();
        var assets = new List<(JsonObject Asset, string Path)> { (asset!, "asset") };
        assets.AddRange(translations.Select((t, i) => (t["asset"] as JsonObject, $"translations.{i}.asset"))
            .Where(t => t.Item1 is not null).Select(t => (t.Item1!, t.Item2)));
        foreach (var (stored, path) in assets)
        {
            if (await verifier.VerifyAsync(shape, stored, path, type.Kind, ct) is { } key)
            {
                keys.Add(key);
            }
        }

        if (!shape.Ok)
        {
            return (Invalid(shape), null);
        }

        var now = time.StoredNow();
        var row = new EntryRow
        {
            Id = id ?? NewId(),
            Version = 1,
            MediaType = type.Handle,
            SystemName = systemName,
            ExternalId = externalId,
            Asset = asset!.ToJsonString(AppJson.Options),
            Metadata = MetadataRules.WithoutNulls(metadata!).ToJsonString(AppJson.Options),
            Translations = new JsonArray([.. translations]).ToJsonString(AppJson.Options),
            CreatedAt = now,
            UpdatedAt = now,
        };

        return (null, new NewEntry(row, keys, EntryEvents.Created(row, actor), ValidityBoundaries.Future(type, row.Metadata, now)));
    }

    /// Translations an entry may have (on import and through setTranslation).
    public const int MaxTranslations = 100;

    private static List<JsonObject> ReadTranslations(JsonShape shape, JsonNode? node, MediaTypeDefinition type, out List<MetadataError> metadataErrors)
    {
        metadataErrors = [];
        var result = new List<JsonObject>();
        if (node is null)
        {
            return result;
        }

        if (node is not JsonArray list || list.Count > MaxTranslations)
        {
            shape.Add("translations", $"must be an array of at most {MaxTranslations} translations");
            return result;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var path = $"translations.{i}";
            var translation = shape.Object(list[i], path, RequestSchema<TranslationRequest>.Properties);
            if (translation is null)
            {
                continue;
            }

            var locale = TranslationSchema.Locale(shape, translation, path);
            if (locale is not null && result.Any(t => t["locale"]!.GetValue<string>() == locale))
            {
                shape.Add($"{path}.locale", $"'{locale}' appears twice");
            }

            var stored = new JsonObject { ["locale"] = locale };
            if (TranslationSchema.Metadata(shape, translation, path, type, metadataErrors) is { } metadata)
            {
                stored["metadata"] = metadata;
            }

            if (TranslationSchema.Asset(shape, translation, path, type) is { } asset)
            {
                stored["asset"] = asset;
            }

            result.Add(stored);
        }

        return result;
    }

    /// A new entry id: 12 random characters of the URL-safe alphabet.
    internal static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, 12);

    private static ImportResult Invalid(JsonShape shape) => new(false, 400, Error: "ValidationError", ErrorDetails: new
    {
        message = "Invalid media library entry.",
        errors = shape.Errors.Select(e => new ImportPathError(e.Key, e.Value)),
    });

    private static ImportResult Conflict(string message) =>
        new(false, 409, Error: "UniqueIdViolation", ErrorDetails: new { message });

    [GeneratedRegex("^[a-zA-Z0-9-]{1,32}$")]
    private static partial Regex ImportId();
}
