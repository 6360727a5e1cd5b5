using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.UsageLog;

/// A purpose of use (print, web, newsletter…) from the project config. `Params` are validated like
/// metadata (SPEC §6); `Internal` purposes are recorded by the service only (on publish), never
/// through PATCH; documents of the `ContentTypes` record their media's use on publish, as `RecordAs`.
public sealed record UsagePurpose(
    string Handle, JsonObject? Label, IReadOnlyList<MetadataProperty> Params, bool Internal, IReadOnlySet<string> ContentTypes, string RecordAs)
{
    /// What is wrong with `params`, by parameter name (unknown ones, values, required ones missing).
    public List<MetadataError> ParamsProblems(JsonObject parameters)
    {
        var errors = new List<MetadataError>();
        foreach (var (name, value) in parameters)
        {
            var property = Params.FirstOrDefault(p => p.Handle == name);
            if (property is null)
            {
                errors.Add(new MetadataError(name, $"is not a parameter of purpose '{Handle}'{(Params.Count == 0 ? " (it has none)" : $" (known: {string.Join(", ", Params.Select(p => p.Handle))})")}"));
            }
            else if (value is null)
            {
                if (property.Required)
                {
                    errors.Add(new MetadataError(name, "is required"));
                }
            }
            else if (MetadataValidator.Problem(property, value) is { } problem)
            {
                errors.Add(new MetadataError(name, problem));
            }
        }

        errors.AddRange(Params.Where(p => p.Required && !parameters.ContainsKey(p.Handle)).Select(p => new MetadataError(p.Handle, "is required")));
        return errors;
    }
}

/// The `usagePurposes` of the project config file (SPEC §10), checked at start: a bad one stops
/// the start with a message naming the purpose.
public sealed class UsagePurposeCatalog
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";

    private readonly Dictionary<string, UsagePurpose> _purposes;

    private UsagePurposeCatalog(Dictionary<string, UsagePurpose> purposes) => _purposes = purposes;

    public IReadOnlyCollection<UsagePurpose> All => _purposes.Values;

    public UsagePurpose? Find(string? handle) => handle is not null && _purposes.TryGetValue(handle, out var purpose) ? purpose : null;

    /// The purpose whose documents of this content type record their media's use (at most one).
    public UsagePurpose? ForContentType(string contentType) => _purposes.Values.FirstOrDefault(p => p.ContentTypes.Contains(contentType));

    public static UsagePurposeCatalog Load(MediaLibraryOptions options)
    {
        var (root, source) = MediaTypeCatalog.ReadProjectConfig(options);
        return Parse(root?["usagePurposes"], source);
    }

    public static UsagePurposeCatalog Parse(JsonNode? node, string source)
    {
        var purposes = new Dictionary<string, UsagePurpose>(StringComparer.Ordinal);
        if (node is null)
        {
            return new UsagePurposeCatalog(purposes);
        }

        if (node is not JsonArray list)
        {
            throw new StartupException($"{source}: \"usagePurposes\" must be an array of purposes.");
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            var purpose = ParsePurpose(item as JsonObject, source);
            if (!purposes.TryAdd(purpose.Handle, purpose))
            {
                throw new StartupException($"{source}: usage purpose '{purpose.Handle}' is defined twice.");
            }

            foreach (var contentType in purpose.ContentTypes)
            {
                if (!owners.TryAdd(contentType, purpose.Handle))
                {
                    throw new StartupException(
                        $"{source}: content type '{contentType}' belongs to usage purposes '{owners[contentType]}' and '{purpose.Handle}'; a content type belongs to at most one.");
                }
            }
        }

        return new UsagePurposeCatalog(purposes);
    }

    private static UsagePurpose ParsePurpose(JsonObject? node, string source)
    {
        var handle = Text(node?["handle"]);
        var where = $"{source}: usage purpose '{handle ?? "?"}'";
        if (node is null || handle is null)
        {
            throw new StartupException($"{where} needs a \"handle\".");
        }

        foreach (var (name, _) in node)
        {
            if (name is not ("handle" or "label" or "paramsSchema" or "internal" or "contentType" or "recordAs"))
            {
                throw new StartupException($"{where} has an unknown setting \"{name}\" (known: handle, label, paramsSchema, internal, contentType, recordAs).");
            }
        }

        var label = node["label"] switch
        {
            null => null,
            JsonObject labels when labels.All(l => Text(l.Value) is not null) => (JsonObject)labels.DeepClone(),
            _ => throw new StartupException($"{where}: \"label\" must be an object of texts by locale, like {{\"en\": \"Print\"}}."),
        };

        var parameters = new List<MetadataProperty>();
        foreach (var propertyNode in node["paramsSchema"] as JsonArray ?? (node["paramsSchema"] is null ? [] : throw new StartupException($"{where}: \"paramsSchema\" must be an array.")))
        {
            var property = MetadataValidator.ParseProperty(propertyNode, where);
            if (parameters.Any(p => p.Handle == property.Handle))
            {
                throw new StartupException($"{where}, parameter '{property.Handle}' is defined twice.");
            }

            parameters.Add(property);
        }

        var contentTypes = node["contentType"] switch
        {
            null => [],
            JsonArray types when types.All(t => Text(t) is not null) => types.Select(t => Text(t)!).ToHashSet(StringComparer.Ordinal),
            _ => throw new StartupException($"{where}: \"contentType\" must be a list of content type handles."),
        };

        var recordAs = node["recordAs"] is null ? Pending : Text(node["recordAs"]);
        if (recordAs is not (Pending or Confirmed))
        {
            throw new StartupException($"{where}: \"recordAs\" must be \"pending\" or \"confirmed\".");
        }

        var isInternal = node["internal"]?.GetValueKind() switch
        {
            null => false,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new StartupException($"{where}: \"internal\" must be true or false."),
        };

        return new UsagePurpose(handle, label, parameters, isInternal, contentTypes, recordAs);
    }

    /// A non-empty JSON string, else null (the licence profiles read their config with it too).
    internal static string? Text(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is { Length: > 0 } s ? s : null;
}
