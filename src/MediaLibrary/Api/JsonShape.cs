using System.Text.Json;
using System.Text.Json.Nodes;

namespace MediaLibrary.Api;

/// Collects validation errors under JSON-path keys (`patches.0.operation`), Livingdocs style,
/// while reading typed values out of a request body.
internal sealed class JsonShape
{
    public Dictionary<string, string> Errors { get; } = new(StringComparer.Ordinal);

    public bool Ok => Errors.Count == 0;

    public void Add(string path, string message) => Errors.TryAdd(path, message);

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// Livingdocs schemas are closed: unknown properties are an error.
    public JsonObject? Object(JsonNode? node, string path, params string[] allowed)
    {
        if (node is not JsonObject obj)
        {
            Add(path.Length == 0 ? "body" : path, "must be an object");
            return null;
        }

        foreach (var (name, _) in obj)
        {
            if (!allowed.Contains(name))
            {
                Add(Join(path, name), "is not an allowed property");
            }
        }

        return obj;
    }

    public string? String(JsonObject obj, string path, string name, bool required, int maxLength = 10_000)
    {
        var node = obj[name];
        if (node is null)
        {
            if (required)
            {
                Add(Join(path, name), "is required");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            Add(Join(path, name), "must be a string");
            return null;
        }

        var value = node.GetValue<string>();
        if (value.Length > maxLength)
        {
            Add(Join(path, name), $"must be at most {maxLength} characters long");
            return null;
        }

        return value;
    }

    public long? Integer(JsonObject obj, string path, string name, bool required, long min = 0, long max = long.MaxValue)
    {
        var node = obj[name];
        if (node is null)
        {
            if (required)
            {
                Add(Join(path, name), "is required");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<long>(out var value) || value < min || value > max)
        {
            Add(Join(path, name), max == long.MaxValue ? $"must be a whole number of at least {min}" : $"must be a whole number from {min} to {max}");
            return null;
        }

        return value;
    }

    public double? Number(JsonObject obj, string path, string name, bool required)
    {
        var node = obj[name];
        if (node is null)
        {
            if (required)
            {
                Add(Join(path, name), "is required");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !node.AsValue().TryGetValue<double>(out var value) || value < 0 || !double.IsFinite(value))
        {
            Add(Join(path, name), "must be a number of at least 0");
            return null;
        }

        return value;
    }

    public bool? Boolean(JsonObject obj, string path, string name)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            Add(Join(path, name), "must be true or false");
            return null;
        }

        return node.GetValue<bool>();
    }
}
