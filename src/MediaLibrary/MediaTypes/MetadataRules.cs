using System.Text.Json.Nodes;

namespace MediaLibrary.MediaTypes;

public sealed record MetadataError(string MetadataProperty, string Message);

/// Checks a whole metadata object against a media type: unknown properties, values, required ones.
public static class MetadataRules
{
    public static List<MetadataError> Check(MediaTypeDefinition type, JsonObject metadata, bool requireRequired)
    {
        var errors = new List<MetadataError>();
        foreach (var (name, value) in metadata)
        {
            var property = type.Property(name);
            if (property is null)
            {
                errors.Add(new MetadataError(name, $"is not a metadata property of media type '{type.Handle}'"));
            }
            else if (value is null)
            {
                if (property.Required && requireRequired)
                {
                    errors.Add(new MetadataError(name, "is required"));
                }
            }
            else if (MetadataValidator.Problem(property, value) is { } problem)
            {
                errors.Add(new MetadataError(name, problem));
            }
        }

        if (requireRequired)
        {
            errors.AddRange(type.Metadata
                .Where(p => p.Required && !metadata.ContainsKey(p.Handle))
                .Select(p => new MetadataError(p.Handle, "is required")));
        }

        return errors;
    }

    /// Nulls mean "not set": they are not stored.
    public static JsonObject WithoutNulls(JsonObject metadata)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in metadata)
        {
            if (value is not null)
            {
                copy[name] = value.DeepClone();
            }
        }

        return copy;
    }
}
