using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Assets;
using MediaLibrary.Hosting;

namespace MediaLibrary.MediaTypes;

public sealed record MetadataProperty(string Handle, string Type, bool Required, JsonObject Config)
{
    /// The values an `li-license-profile` property takes: the configured profile handles (SPEC §15).
    public IReadOnlySet<string>? Choices { get; init; }

    /// Livingdocs' `ui` of a metadata property (`{"label": "Credit"}`): how a form names it; null when not configured.
    public JsonObject? Ui { get; init; }
}

public sealed record MediaTypeDefinition(
    string Handle, string Type, AssetKind Kind, IReadOnlyList<MetadataProperty> Metadata, bool Translatable, bool Replaceable)
{
    public MetadataProperty? Property(string handle) => Metadata.FirstOrDefault(p => p.Handle == handle);

    /// The property that names its entries' licence profile (SPEC §15), if the type takes part.
    public MetadataProperty? LicenseProperty { get; } = Metadata.FirstOrDefault(p => p.Type == UsageLog.LicenseProfileCatalog.PropertyType);

    /// Which of its entries the deletion routines delete (SPEC §14); null when it has none.
    internal Lifecycle.DeletionRoutine? DeletionRoutine { get; init; }

    /// `"handle"` of each property that can make an entry invalid (li-invalid, li-datetime-validity), to spot them in stored metadata text without parsing it.
    public IReadOnlyList<string> StatePropertyKeys { get; } =
        Metadata.Where(p => p.Type is "li-invalid" or "li-datetime-validity").Select(p => $"\"{p.Handle}\"").ToList();
}

/// The project's media types (SPEC §6), loaded once at start. A broken file stops the start
/// with a message naming the media type and property.
public sealed class MediaTypeCatalog
{
    private readonly Dictionary<string, MediaTypeDefinition> _types;

    private MediaTypeCatalog(Dictionary<string, MediaTypeDefinition> types) => _types = types;

    public IReadOnlyCollection<MediaTypeDefinition> All => _types.Values;

    public MediaTypeDefinition? Find(string? handle) => handle is not null && _types.TryGetValue(handle, out var type) ? type : null;

    public static MediaTypeCatalog Load(MediaLibraryOptions options)
    {
        var (root, source) = ReadProjectConfig(options);
        return Parse(root, source);
    }

    /// The project config file (media types, webhooks): the configured one or the shipped default.
    public static (JsonNode? Root, string Source) ReadProjectConfig(MediaLibraryOptions options)
    {
        var path = options.MediaTypesFile;
        string source;
        JsonNode? root;
        try
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                source = "the shipped default media types";
                using var stream = typeof(MediaTypeCatalog).Assembly.GetManifestResourceStream("default-media-types.json")!;
                root = JsonNode.Parse(stream);
            }
            else
            {
                source = $"MediaLibrary__MediaTypesFile '{path}'";
                root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new StartupException($"Cannot read media types from MediaLibrary__MediaTypesFile '{path}': {e.Message}");
        }

        return (root, source);
    }

    public static MediaTypeCatalog Parse(JsonNode? root, string source)
    {
        if (root?["mediaTypes"] is not JsonArray list)
        {
            throw new StartupException($"{source}: expected an object with a \"mediaTypes\" array.");
        }

        var profiles = UsageLog.LicenseProfileCatalog.Parse(root, source);
        var types = new Dictionary<string, MediaTypeDefinition>(StringComparer.Ordinal);
        foreach (var node in list)
        {
            var type = ParseType(node, profiles, source);
            if (!types.TryAdd(type.Handle, type))
            {
                throw new StartupException($"{source}: media type '{type.Handle}' is defined twice.");
            }
        }

        // SPEC §2: image, video and file always exist.
        foreach (var (handle, kind, name) in new[] { ("image", AssetKind.Image, "mediaImage"), ("video", AssetKind.Video, "mediaVideo"), ("file", AssetKind.File, "mediaFile") })
        {
            types.TryAdd(handle, new MediaTypeDefinition(handle, name, kind, [], Translatable: true, Replaceable: true));
        }

        return new MediaTypeCatalog(types);
    }

    private static MediaTypeDefinition ParseType(JsonNode? node, UsageLog.LicenseProfileCatalog profiles, string source)
    {
        var handle = (node as JsonObject)?["handle"] is JsonValue h && h.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        var where = $"{source}: media type '{handle ?? "?"}'";
        if (handle is null)
        {
            throw new StartupException($"{where} needs a \"handle\".");
        }

        var typeName = node!["type"]?.GetValueKind() == JsonValueKind.String ? node["type"]!.GetValue<string>() : null;
        AssetKind kind = typeName switch
        {
            "mediaImage" => AssetKind.Image,
            "mediaVideo" => AssetKind.Video,
            "mediaFile" => AssetKind.File,
            _ => throw new StartupException($"{where} has type '{typeName}'; expected mediaImage, mediaVideo or mediaFile."),
        };

        var properties = new List<MetadataProperty>();
        foreach (var propertyNode in node["metadata"] as JsonArray ?? [])
        {
            var property = MetadataValidator.ParseProperty(propertyNode, where);
            if (properties.Any(p => p.Handle == property.Handle))
            {
                throw new StartupException($"{where}, property '{property.Handle}' is defined twice.");
            }

            if (property.Type == UsageLog.LicenseProfileCatalog.PropertyType)
            {
                if (properties.Any(p => p.Type == property.Type))
                {
                    throw new StartupException($"{where}, property '{property.Handle}': a media type has at most one {property.Type} property.");
                }

                if (profiles.All.Count == 0)
                {
                    throw new StartupException($"{where}, property '{property.Handle}' ({property.Type}) needs \"licenseProfiles\" with profiles in the project config.");
                }

                property = property with { Choices = profiles.All.Select(p => p.Handle).ToHashSet(StringComparer.Ordinal) };
            }

            properties.Add(property);
        }

        var asset = node["asset"] as JsonObject;
        return new MediaTypeDefinition(handle, typeName!, kind, properties,
            Translatable: asset?["translatable"]?.GetValueKind() != JsonValueKind.False,
            Replaceable: asset?["replaceable"]?.GetValueKind() != JsonValueKind.False)
        {
            DeletionRoutine = node["deletionRoutine"] is { } routine ? Lifecycle.DeletionRoutine.Parse(routine, properties, where) : null,
        };
    }
}
