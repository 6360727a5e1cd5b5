using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.MediaTypes;
using MediaLibrary.UsageLog;

namespace MediaLibrary.Entries;

internal abstract record PatchOperation(int Index)
{
    public string Path(string field) => $"patches.{Index}.{field}";
}

internal sealed record SetMetadataProperty(int Index, string PropertyName, JsonNode? Value) : PatchOperation(Index);

/// An operation that names a stored asset: its key must exist in storage, and joins the entry's key history.
internal interface IAssetOperation
{
    int Index { get; }
    JsonObject? Asset { get; }
    /// Where the asset sits in the operation ("value" or "asset").
    string AssetField { get; }
}

internal sealed record ReplaceAsset(int Index, JsonObject Asset) : PatchOperation(Index), IAssetOperation
{
    JsonObject? IAssetOperation.Asset => Asset;
    public string AssetField => "value";
}

internal sealed record RevokeAsset(int Index, string? Note) : PatchOperation(Index);

internal sealed record UnrevokeAsset(int Index) : PatchOperation(Index);

internal sealed record ArchiveEntry(int Index) : PatchOperation(Index);

internal sealed record UnarchiveEntry(int Index) : PatchOperation(Index);

internal sealed record RemoveAsset(int Index, string Locale) : PatchOperation(Index);

/// (ours) API 2026-07: adds a translation or changes one. Metadata, when given, replaces the
/// locale's metadata; an asset, when given, replaces the locale's asset; what is not given stays.
/// `Replaceable`: the media type's; a translation's asset, once set, is replaced only when the type allows it.
internal sealed record SetTranslation(int Index, string Locale, JsonObject? Metadata, JsonObject? Asset, bool Replaceable) : PatchOperation(Index), IAssetOperation
{
    public string AssetField => "asset";
}

/// (ours) API 2026-07: removes a translation, its metadata and asset together.
internal sealed record RemoveTranslation(int Index, string Locale) : PatchOperation(Index);

/// The usage-log operations (API 2026-05): they read the entry's log under the row lock.
internal abstract record UsageLogOperation(int Index) : PatchOperation(Index);

internal sealed record AddUsageLogEntry(int Index, UsageValue Value) : UsageLogOperation(Index);

internal sealed record UpdateUsageLogEntry(int Index, string UsageLogEntryId, UsageValue Value, UsageValue? OldValue) : UsageLogOperation(Index);

internal sealed record RemoveUsageLogEntry(int Index, string UsageLogEntryId) : UsageLogOperation(Index);

/// API 2026-07 (SPEC §17): the image's edits; null restores the original.
internal sealed record SetImageEdits(int Index, Delivery.ImageEdits? Value) : PatchOperation(Index);

/// API 2026-07 (SPEC §15): decides, once, whether a use is billed.
internal sealed record SetUsageLogBilling(int Index, string UsageLogEntryId, bool Billing) : UsageLogOperation(Index);

/// A PATCH body, checked against the schema and the entry's media type before anything is read for update.
internal sealed record PatchRequest(int? Version, bool PreserveUpdatedAt, IReadOnlyList<PatchOperation> Operations)
{
    public const int MaxNoteLength = 200;

    private delegate PatchOperation? Parser(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes);

    /// Every operation by name, with the API version that introduced it. A name that is not here
    /// (or not yet in the caller's version) is "No enum match", as in Livingdocs.
    private static readonly Dictionary<string, (ApiVersion Since, Parser Parse)> Registry = new(StringComparer.Ordinal)
    {
        ["setMetadataProperty"] = (ApiVersion.V2025_03, ParseSetMetadataProperty),
        ["replaceAsset"] = (ApiVersion.V2025_03, ParseReplaceAsset),
        ["revokeAsset"] = (ApiVersion.V2025_03, ParseRevokeAsset),
        ["unrevokeAsset"] = (ApiVersion.V2025_03, (shape, patch, path, index, _, _) => shape.Object(patch, path, RequestSchema<UnrevokeAssetOperation>.WithOperation) is null ? null : new UnrevokeAsset(index)),
        ["archive"] = (ApiVersion.V2025_03, (shape, patch, path, index, _, _) => shape.Object(patch, path, RequestSchema<ArchiveOperation>.WithOperation) is null ? null : new ArchiveEntry(index)),
        ["unarchive"] = (ApiVersion.V2026_07, (shape, patch, path, index, _, _) => shape.Object(patch, path, RequestSchema<UnarchiveOperation>.WithOperation) is null ? null : new UnarchiveEntry(index)),
        ["removeAsset"] = (ApiVersion.V2025_03, ParseRemoveAsset),
        ["addUsageLogEntry"] = (ApiVersion.V2026_05, ParseAddUsageLogEntry),
        ["updateUsageLogEntry"] = (ApiVersion.V2026_05, ParseUpdateUsageLogEntry),
        ["removeUsageLogEntry"] = (ApiVersion.V2026_05, ParseRemoveUsageLogEntry),
        ["setUsageLogBilling"] = (ApiVersion.V2026_07, ParseSetUsageLogBilling),
        ["setImageEdits"] = (ApiVersion.V2026_07, ParseSetImageEdits),
        ["setTranslation"] = (ApiVersion.V2026_07, ParseSetTranslation),
        ["removeTranslation"] = (ApiVersion.V2026_07, ParseRemoveTranslation),
    };

    public static IEnumerable<string> OperationNames(ApiVersion version) =>
        Registry.Where(o => version >= o.Value.Since).Select(o => o.Key);

    public static PatchRequest? Parse(JsonShape shape, JsonNode? body, MediaTypeDefinition type, UsagePurposeCatalog purposes, ApiVersion version, int maxPatches)
    {
        var obj = shape.Object(body, "", RequestSchema<PatchEntryRequest>.Properties);
        if (obj is null)
        {
            return null;
        }

        int? expected = null;
        if (obj["version"] is { } versionNode)
        {
            expected = versionNode.GetValueKind() switch
            {
                JsonValueKind.Number when versionNode.AsValue().TryGetValue<int>(out var n) && n >= 1 => n,
                JsonValueKind.String when int.TryParse(versionNode.GetValue<string>(), System.Globalization.NumberStyles.None, null, out var n) && n >= 1 => n,
                _ => null,
            };
            if (expected is null)
            {
                shape.Add("version", "must be a positive whole number (as a number or a string)");
            }
        }

        var preserve = shape.Boolean(obj, "", "preserveUpdatedAt") ?? false;
        if (obj.ContainsKey("preserveUpdatedAt") && version < ApiVersion.V2026_03)
        {
            shape.Add("preserveUpdatedAt", "is available from API version 2026-03");
        }

        if (obj["patches"] is not JsonArray patches || patches.Count == 0 || patches.Count > maxPatches)
        {
            shape.Add("patches", $"must be an array of 1 to {maxPatches} operations");
            return null;
        }

        var operations = new List<PatchOperation>();
        for (var i = 0; i < patches.Count; i++)
        {
            if (ParseOperation(shape, patches[i], i, type, purposes, version) is { } operation)
            {
                operations.Add(operation);
            }
        }

        return shape.Ok ? new PatchRequest(expected, preserve, operations) : null;
    }

    private static PatchOperation? ParseOperation(JsonShape shape, JsonNode? node, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes, ApiVersion version)
    {
        var path = $"patches.{index}";
        if (node is not JsonObject patch)
        {
            shape.Add(path, "must be an object");
            return null;
        }

        var name = patch["operation"]?.GetValueKind() == JsonValueKind.String ? patch["operation"]!.GetValue<string>() : null;
        if (name is null || !Registry.TryGetValue(name, out var operation) || version < operation.Since)
        {
            // As every other enum error: the names this version knows.
            shape.Add($"{path}.operation", patch["operation"] is null
                ? "is required"
                : $"No enum match for: {patch["operation"]!.ToJsonString()} (known: {string.Join(", ", OperationNames(version))})");
            return null;
        }

        return operation.Parse(shape, patch, path, index, type, purposes);
    }

    private static PatchOperation? ParseSetMetadataProperty(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<SetMetadataPropertyOperation>.WithOperation);
        var propertyName = shape.String(patch, path, "propertyName", required: true, maxLength: 200);
        if (propertyName is null)
        {
            return null;
        }

        var property = type.Property(propertyName);
        if (property is null)
        {
            shape.Add($"{path}.propertyName", $"'{propertyName}' is not a metadata property of media type '{type.Handle}'");
            return null;
        }

        var value = patch["value"];
        if (value is null && property.Required)
        {
            shape.Add($"{path}.value", $"'{propertyName}' is required and cannot be removed");
            return null;
        }

        if (value is not null && MetadataValidator.Problem(property, value) is { } problem)
        {
            shape.Add($"{path}.value", problem);
            return null;
        }

        return new SetMetadataProperty(index, propertyName, value?.DeepClone());
    }

    private static PatchOperation? ParseReplaceAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<ReplaceAssetOperation>.WithOperation);
        if (!type.Replaceable)
        {
            shape.Add($"{path}.operation", $"assets of media type '{type.Handle}' are not replaceable");
            return null;
        }

        return AssetSchema.Read(shape, patch["value"], $"{path}.value", type.Kind) is { } asset ? new ReplaceAsset(index, asset) : null;
    }

    private static PatchOperation? ParseRevokeAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<RevokeAssetOperation>.WithOperation);
        var note = shape.String(patch, path, "note", required: false, maxLength: MaxNoteLength);
        return shape.Ok ? new RevokeAsset(index, note) : null;
    }

    private static PatchOperation? ParseRemoveAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<RemoveAssetOperation>.WithOperation);
        var locale = shape.String(patch, path, "locale", required: false, maxLength: 35);
        if (locale is null)
        {
            shape.Add($"{path}.locale", "the default asset cannot be removed; give the locale of a translation");
            return null;
        }

        return new RemoveAsset(index, locale);
    }

    private static PatchOperation? ParseSetTranslation(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<SetTranslationOperation>.WithOperation);
        var locale = TranslationSchema.Locale(shape, patch, path);
        var metadataErrors = new List<MetadataError>();
        var metadata = TranslationSchema.Metadata(shape, patch, path, type, metadataErrors);
        foreach (var error in metadataErrors)
        {
            shape.Add(error.MetadataProperty, error.Message);
        }

        var asset = TranslationSchema.Asset(shape, patch, path, type);
        return shape.Ok && locale is not null ? new SetTranslation(index, locale, metadata, asset, type.Replaceable) : null;
    }

    private static PatchOperation? ParseRemoveTranslation(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<RemoveTranslationOperation>.WithOperation);
        var locale = TranslationSchema.Locale(shape, patch, path);
        return shape.Ok && locale is not null ? new RemoveTranslation(index, locale) : null;
    }

    private static PatchOperation? ParseAddUsageLogEntry(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<AddUsageLogEntryOperation>.WithOperation);
        var value = ParseUsageValue(shape, patch["value"], $"{path}.value", purposes, stateRequired: false, comparedOnly: false);
        return value is null ? null : new AddUsageLogEntry(index, value);
    }

    private static PatchOperation? ParseUpdateUsageLogEntry(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<UpdateUsageLogEntryOperation>.WithOperation);
        var id = shape.String(patch, path, "usageLogEntryId", required: true, maxLength: 64);
        var value = ParseUsageValue(shape, patch["value"], $"{path}.value", purposes, stateRequired: true, comparedOnly: false);
        var oldValue = patch["oldValue"] is null ? null : ParseUsageValue(shape, patch["oldValue"], $"{path}.oldValue", purposes, stateRequired: true, comparedOnly: true);
        return id is null || value is null || (patch["oldValue"] is not null && oldValue is null) ? null : new UpdateUsageLogEntry(index, id, value, oldValue);
    }

    private static PatchOperation? ParseRemoveUsageLogEntry(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<RemoveUsageLogEntryOperation>.WithOperation);
        var id = shape.String(patch, path, "usageLogEntryId", required: true, maxLength: 64);
        return id is null ? null : new RemoveUsageLogEntry(index, id);
    }

    private static PatchOperation? ParseSetImageEdits(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<SetImageEditsOperation>.WithOperation);
        if (type.Kind != Assets.AssetKind.Image)
        {
            shape.Add($"{path}.operation", $"setImageEdits is for image entries; '{type.Handle}' is not an image type");
            return null;
        }

        if (!patch.ContainsKey("value"))
        {
            shape.Add($"{path}.value", "is required: the edits, or null to restore the original");
            return null;
        }

        if (patch["value"] is null)
        {
            return new SetImageEdits(index, null);
        }

        var errors = shape.Errors.Count;
        var edits = Delivery.ImageEdits.Parse(shape, patch["value"], $"{path}.value");
        return shape.Errors.Count > errors ? null : new SetImageEdits(index, edits);
    }

    private static PatchOperation? ParseSetUsageLogBilling(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type, UsagePurposeCatalog purposes)
    {
        shape.Object(patch, path, RequestSchema<SetUsageLogBillingOperation>.WithOperation);
        var id = shape.String(patch, path, "usageLogEntryId", required: true, maxLength: 64);
        var billing = shape.Boolean(patch, path, "billing");
        if (billing is null && patch["billing"] is null)
        {
            shape.Add($"{path}.billing", "is required: true or false");
        }

        return id is null || billing is null ? null : new SetUsageLogBilling(index, id, billing.Value);
    }

    /// `{state, purpose, publicationDate?, url?, params?}`. An `oldValue` is only compared: its
    /// purpose and params are taken as they are, not checked against the config.
    private static UsageValue? ParseUsageValue(JsonShape shape, JsonNode? node, string path, UsagePurposeCatalog purposes, bool stateRequired, bool comparedOnly)
    {
        var before = shape.Errors.Count;
        var obj = shape.Object(node, path, RequestSchema<UsageLogValueRequest>.Properties);
        if (obj is null)
        {
            return null;
        }

        var handle = shape.String(obj, path, "purpose", required: true, maxLength: 100);
        var state = shape.String(obj, path, "state", required: stateRequired, maxLength: 20) ?? UsagePurposeCatalog.Pending;
        if (state is not (UsagePurposeCatalog.Pending or UsagePurposeCatalog.Confirmed))
        {
            shape.Add($"{path}.state", $"No enum match for: \"{state}\" (known: pending, confirmed)");
        }

        DateTimeOffset? date = null;
        if (obj["publicationDate"] is { } dateNode)
        {
            date = MetadataValidator.ParseDateTime(dateNode) is { } parsed ? Milliseconds(parsed.ToUniversalTime()) : null;
            if (date is null)
            {
                shape.Add($"{path}.publicationDate", "must be a date and time like \"2026-05-14T09:19:00.000Z\"");
            }
        }
        else if (state == UsagePurposeCatalog.Confirmed && !comparedOnly)
        {
            shape.Add($"{path}.publicationDate", "is required when the state is confirmed");
        }

        var url = shape.String(obj, path, "url", required: false, maxLength: 2048);
        var parameters = obj["params"] switch
        {
            null => [],
            JsonObject given => MetadataRules.WithoutNulls(given),
            _ => null,
        };
        if (parameters is null)
        {
            shape.Add($"{path}.params", "must be an object");
        }

        if (!comparedOnly && handle is not null)
        {
            var purpose = purposes.Find(handle);
            if (purpose is null)
            {
                shape.Add($"{path}.purpose", $"No enum match for: \"{handle}\" (known: {string.Join(", ", purposes.All.Where(p => !p.Internal).Select(p => p.Handle))})");
            }
            else if (purpose.Internal)
            {
                shape.Add($"{path}.purpose", $"'{handle}' is an internal purpose: its entries are recorded by the service, not through PATCH");
            }
            else if (parameters is not null)
            {
                foreach (var error in purpose.ParamsProblems(obj["params"] as JsonObject ?? []))
                {
                    shape.Add($"{path}.params.{error.MetadataProperty}", error.Message);
                }
            }
        }

        return shape.Errors.Count > before || handle is null ? null : new UsageValue(state, handle, date, url, parameters!);
    }

    private static DateTimeOffset Milliseconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMillisecond));
}
