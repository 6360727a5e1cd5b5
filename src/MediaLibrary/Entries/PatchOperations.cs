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

    private static readonly string[] OperationNames = ["setMetadataProperty", "replaceAsset", "revokeAsset", "unrevokeAsset", "archive", "removeAsset"];

    public static PatchRequest? Parse(JsonShape shape, JsonNode? body, MediaTypeDefinition type, ApiVersion version, int maxPatches)
    {
        var obj = shape.Object(body, "", "version", "preserveUpdatedAt", "patches");
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
            if (ParseOperation(shape, patches[i], i, type) is { } operation)
            {
                operations.Add(operation);
            }
        }

        return shape.Ok ? new PatchRequest(expected, preserve, operations) : null;
    }

    private static PatchOperation? ParseOperation(JsonShape shape, JsonNode? node, int index, MediaTypeDefinition type)
    {
        var path = $"patches.{index}";
        if (node is not JsonObject patch)
        {
            shape.Add(path, "must be an object");
            return null;
        }

        var name = patch["operation"]?.GetValueKind() == JsonValueKind.String ? patch["operation"]!.GetValue<string>() : null;
        if (name is null || !OperationNames.Contains(name))
        {
            shape.Add($"{path}.operation", patch["operation"] is null ? "is required" : $"No enum match for: {patch["operation"]!.ToJsonString()}");
            return null;
        }

        switch (name)
        {
            case "setMetadataProperty":
                shape.Object(patch, path, "operation", "propertyName", "value");
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

            case "replaceAsset":
                shape.Object(patch, path, "operation", "value");
                if (!type.Replaceable)
                {
                    shape.Add($"{path}.operation", $"assets of media type '{type.Handle}' are not replaceable");
                    return null;
                }

                return AssetSchema.Read(shape, patch["value"], $"{path}.value", type.Kind) is { } asset ? new ReplaceAsset(index, asset) : null;

            case "revokeAsset":
                shape.Object(patch, path, "operation", "note");
                var note = shape.String(patch, path, "note", required: false, maxLength: MaxNoteLength);
                return shape.Ok ? new RevokeAsset(index, note) : null;

            case "unrevokeAsset":
                shape.Object(patch, path, "operation");
                return new UnrevokeAsset(index);

            case "archive":
                shape.Object(patch, path, "operation");
                return new ArchiveEntry(index);

            default:
                shape.Object(patch, path, "operation", "locale");
                var locale = shape.String(patch, path, "locale", required: false, maxLength: 35);
                if (locale is null)
                {
                    shape.Add($"{path}.locale", "the default asset cannot be removed; give the locale of a translation");
                    return null;
                }

                return new RemoveAsset(index, locale);
        }
    }
}
