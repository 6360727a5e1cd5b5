using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.References;

/// One link from a document or media entry to a media entry (SPEC §5). `Kind` is "directive" or
/// "metadata"; the `type` shown to clients is the referenced entry's kind, known at read time.
public sealed record Reference(string TargetId, string Kind, string? ComponentId, string? ComponentName, string? DirectiveName, string? PropertyName);

/// Finds media references in document content and in metadata. Pure: no I/O.
public static class ReferenceExtractor
{
    private const int MaxDepth = 32;

    /// Directive values that are objects with `mediaId`, in components and their containers.
    public static List<Reference> FromContent(JsonNode? content)
    {
        var references = new List<Reference>();
        Walk(content as JsonArray, references, 0);
        return references;
    }

    private static void Walk(JsonArray? components, List<Reference> references, int depth)
    {
        if (components is null || depth > MaxDepth)
        {
            return;
        }

        foreach (var component in components.OfType<JsonObject>())
        {
            var componentId = Text(component["id"]);
            var componentName = Text(component["component"]);
            foreach (var (directive, value) in component["content"] as JsonObject ?? [])
            {
                if (MetadataValidator.MediaId(value) is { } id)
                {
                    references.Add(new Reference(id, "directive", componentId, componentName, directive, null));
                }
            }

            foreach (var (_, children) in component["containers"] as JsonObject ?? [])
            {
                Walk(children as JsonArray, references, depth + 1);
            }
        }
    }

    /// Properties whose value is `{"mediaId": …}` (li-image) or `{"$ref": "image|video|file", "reference": {"id": …}}`.
    public static List<Reference> FromMetadata(JsonObject? metadata)
    {
        var references = new List<Reference>();
        foreach (var (property, value) in metadata ?? [])
        {
            if ((MetadataValidator.MediaId(value) ?? RefId(value)) is { } id)
            {
                references.Add(new Reference(id, "metadata", null, null, null, property));
            }
        }

        return references;
    }

    private static string? RefId(JsonNode? value) =>
        value is JsonObject obj && Text(obj["$ref"]) is "image" or "video" or "file" && Text(obj["reference"]?["id"]) is { Length: > 0 and <= 64 } id
            ? id
            : null;

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
}
