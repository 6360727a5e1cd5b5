using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

internal abstract record PatchOperation(int Index)
{
    public string Path(string field) => $"patches.{Index}.{field}";
}

internal sealed record SetMetadataProperty(int Index, string PropertyName, JsonNode? Value) : PatchOperation(Index);

internal sealed record ReplaceAsset(int Index, JsonObject Asset) : PatchOperation(Index);

internal sealed record RevokeAsset(int Index, string? Note) : PatchOperation(Index);

internal sealed record UnrevokeAsset(int Index) : PatchOperation(Index);

internal sealed record ArchiveEntry(int Index) : PatchOperation(Index);

internal sealed record RemoveAsset(int Index, string Locale) : PatchOperation(Index);

/// A PATCH body, checked against the schema and the entry's media type before anything is read for update.
internal sealed record PatchRequest(int? Version, bool PreserveUpdatedAt, IReadOnlyList<PatchOperation> Operations)
{
    public const int MaxNoteLength = 200;

    private delegate PatchOperation? Parser(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type);

    /// Every operation by name, with the API version that introduced it. A name that is not here
    /// (or not yet in the caller's version) is "No enum match", as in Livingdocs.
    private static readonly Dictionary<string, (ApiVersion Since, Parser Parse)> Registry = new(StringComparer.Ordinal)
    {
        ["setMetadataProperty"] = (ApiVersion.V2025_03, ParseSetMetadataProperty),
        ["replaceAsset"] = (ApiVersion.V2025_03, ParseReplaceAsset),
        ["revokeAsset"] = (ApiVersion.V2025_03, ParseRevokeAsset),
        ["unrevokeAsset"] = (ApiVersion.V2025_03, (shape, patch, path, index, _) => shape.Object(patch, path, RequestSchema<UnrevokeAssetOperation>.WithOperation) is null ? null : new UnrevokeAsset(index)),
        ["archive"] = (ApiVersion.V2025_03, (shape, patch, path, index, _) => shape.Object(patch, path, RequestSchema<ArchiveOperation>.WithOperation) is null ? null : new ArchiveEntry(index)),
        ["removeAsset"] = (ApiVersion.V2025_03, ParseRemoveAsset),
    };

    public static IEnumerable<string> OperationNames(ApiVersion version) =>
        Registry.Where(o => version >= o.Value.Since).Select(o => o.Key);

    public static PatchRequest? Parse(JsonShape shape, JsonNode? body, MediaTypeDefinition type, ApiVersion version, int maxPatches)
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
            if (ParseOperation(shape, patches[i], i, type, version) is { } operation)
            {
                operations.Add(operation);
            }
        }

        return shape.Ok ? new PatchRequest(expected, preserve, operations) : null;
    }

    private static PatchOperation? ParseOperation(JsonShape shape, JsonNode? node, int index, MediaTypeDefinition type, ApiVersion version)
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
            shape.Add($"{path}.operation", patch["operation"] is null ? "is required" : $"No enum match for: {patch["operation"]!.ToJsonString()}");
            return null;
        }

        return operation.Parse(shape, patch, path, index, type);
    }

    private static PatchOperation? ParseSetMetadataProperty(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type)
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

    private static PatchOperation? ParseReplaceAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type)
    {
        shape.Object(patch, path, RequestSchema<ReplaceAssetOperation>.WithOperation);
        if (!type.Replaceable)
        {
            shape.Add($"{path}.operation", $"assets of media type '{type.Handle}' are not replaceable");
            return null;
        }

        return AssetSchema.Read(shape, patch["value"], $"{path}.value", type.Kind) is { } asset ? new ReplaceAsset(index, asset) : null;
    }

    private static PatchOperation? ParseRevokeAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type)
    {
        shape.Object(patch, path, RequestSchema<RevokeAssetOperation>.WithOperation);
        var note = shape.String(patch, path, "note", required: false, maxLength: MaxNoteLength);
        return shape.Ok ? new RevokeAsset(index, note) : null;
    }

    private static PatchOperation? ParseRemoveAsset(JsonShape shape, JsonObject patch, string path, int index, MediaTypeDefinition type)
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
}
