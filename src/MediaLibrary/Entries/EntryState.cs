using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

/// `state` (ours): revoked wins; otherwise invalid when an li-invalid property is true or now is
/// outside an li-datetime-validity window; otherwise active. Computed at request time.
internal static class EntryState
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Invalid = "invalid";

    /// From stored metadata text: parsed only when it names a property that decides validity.
    public static string Of(MediaTypeDefinition? type, bool revoked, string metadata, DateTimeOffset now) =>
        revoked ? Revoked
        : type is null || !type.StatePropertyKeys.Any(key => metadata.Contains(key, StringComparison.Ordinal)) ? Active
        : Of(type, revoked, JsonNode.Parse(metadata)!.AsObject(), now);

    public static string Of(MediaTypeDefinition? type, bool revoked, JsonObject metadata, DateTimeOffset now)
    {
        if (revoked)
        {
            return Revoked;
        }

        foreach (var property in type?.Metadata ?? [])
        {
            var value = metadata[property.Handle];
            if (value is null)
            {
                continue;
            }

            if (property.Type == "li-invalid" && value.GetValueKind() == JsonValueKind.True)
            {
                return Invalid;
            }

            if (property.Type == "li-datetime-validity" &&
                (MetadataValidator.ParseDateTime(value["from"]) > now || MetadataValidator.ParseDateTime(value["to"]) < now))
            {
                return Invalid;
            }
        }

        return Active;
    }
}
