using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Hosting;

namespace MediaLibrary.MediaTypes;

/// Validates metadata values against their property's type and config (SPEC §6).
/// Messages say what is wrong in words an editor understands.
public static partial class MetadataValidator
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>
    {
        "li-text", "li-boolean", "li-integer", "li-date", "li-datetime", "li-enum", "li-string-list", "li-invalid",
        "li-datetime-validity", "li-image", "li-video-reference", "li-poster-image", "li-metadata-translations", "li-license-profile",
    };

    public static MetadataProperty ParseProperty(JsonNode? node, string where)
    {
        var handle = node?["handle"]?.GetValueKind() == JsonValueKind.String ? node["handle"]!.GetValue<string>() : null;
        if (string.IsNullOrEmpty(handle))
        {
            throw new StartupException($"{where} has a metadata property without a \"handle\".");
        }

        var type = node!["type"]?.GetValueKind() == JsonValueKind.String ? node["type"]!.GetValue<string>() : null;
        if (type is null || !Types.Contains(type))
        {
            throw new StartupException($"{where}, property '{handle}' has unknown type '{type}' (known: {string.Join(", ", Types)}).");
        }

        var config = node["config"] as JsonObject ?? [];
        if (type == "li-enum" && EnumValues(config).Count == 0)
        {
            throw new StartupException($"{where}, property '{handle}' (li-enum) needs config.options: a non-empty list of values or {{label, value}} objects.");
        }

        var required = config["required"]?.GetValueKind() == JsonValueKind.True;
        // Livingdocs' metadata config: `ui.label` names the property in forms.
        var ui = node["ui"];
        if (ui is not null && !(ui is JsonObject uiObject && (uiObject["label"] is null || uiObject["label"]!.GetValueKind() == JsonValueKind.String)))
        {
            throw new StartupException($"{where}, property '{handle}' has a \"ui\" that is not an object with a text \"label\".");
        }

        return new MetadataProperty(handle, type, required, (JsonObject)config.DeepClone()) { Ui = (JsonObject?)ui?.DeepClone() };
    }

    private static List<string> EnumValues(JsonObject config) =>
        (config["options"] as JsonArray ?? [])
        .Select(o => o is JsonObject obj ? obj["value"] : o)
        .Where(v => v?.GetValueKind() == JsonValueKind.String)
        .Select(v => v!.GetValue<string>())
        .ToList();

    /// Null when the value is acceptable for the property, else what is wrong with it.
    public static string? Problem(MetadataProperty property, JsonNode value) => property.Type switch
    {
        "li-text" => Text(property, value),
        "li-boolean" or "li-invalid" => value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false",
        "li-integer" => Integer(property, value),
        "li-date" => value.GetValueKind() == JsonValueKind.String &&
                     DateOnly.TryParseExact(value.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
            ? null : "must be a date like \"2026-03-14\"",
        "li-datetime" => IsDateTime(value) ? null : "must be a date and time like \"2026-03-14T09:19:00.000Z\"",
        "li-enum" => value.GetValueKind() == JsonValueKind.String && EnumValues(property.Config).Contains(value.GetValue<string>())
            ? null : $"must be one of: {string.Join(", ", EnumValues(property.Config))}",
        "li-string-list" => StringList(property, value),
        "li-datetime-validity" => Validity(value),
        "li-image" => MediaId(value) is not null ? null : "must be an image reference like {\"mediaId\": \"yLBGtTjWN4ba\"}",
        "li-video-reference" => Reference(value, "video"),
        "li-poster-image" => MediaId(value) is not null ? null : Reference(value, "image"),
        "li-metadata-translations" => Translations(value),
        "li-license-profile" => value.GetValueKind() == JsonValueKind.String && property.Choices?.Contains(value.GetValue<string>()) == true
            ? null : $"must be a configured license profile: one of {string.Join(", ", property.Choices ?? new HashSet<string>())}",
        _ => $"has an unsupported type {property.Type}",
    };

    private static string? Text(MetadataProperty property, JsonNode value)
    {
        if (value.GetValueKind() != JsonValueKind.String)
        {
            return "must be a text";
        }

        var text = value.GetValue<string>();
        var max = ConfigInt(property, "maxLength");
        return max is not null && text.Length > max ? $"must be at most {max} characters long (got {text.Length})" : null;
    }

    private static string? Integer(MetadataProperty property, JsonNode value)
    {
        if (value.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<long>(out var number))
        {
            return "must be a whole number";
        }

        var (min, max) = (ConfigInt(property, "min"), ConfigInt(property, "max"));
        return number < min ? $"must be at least {min}" : number > max ? $"must be at most {max}" : null;
    }

    private static string? StringList(MetadataProperty property, JsonNode value)
    {
        if (value is not JsonArray list || list.Any(item => item?.GetValueKind() != JsonValueKind.String))
        {
            return "must be a list of texts";
        }

        var max = ConfigInt(property, "maxItems");
        return max is not null && list.Count > max ? $"must have at most {max} items (got {list.Count})" : null;
    }

    private static string? Validity(JsonNode value)
    {
        if (value is not JsonObject window || window.Any(p => p.Key is not ("from" or "to")))
        {
            return "must be an object with optional \"from\" and \"to\" date-times";
        }

        var from = window["from"];
        var to = window["to"];
        if ((from is not null && !IsDateTime(from)) || (to is not null && !IsDateTime(to)))
        {
            return "\"from\" and \"to\" must be date-times like \"2026-03-14T09:19:00.000Z\"";
        }

        return from is not null && to is not null && ParseDateTime(from) > ParseDateTime(to) ? "\"from\" must not be after \"to\"" : null;
    }

    private static string? Reference(JsonNode value, string kind)
    {
        var id = value is JsonObject obj && obj["$ref"]?.GetValueKind() == JsonValueKind.String && obj["$ref"]!.GetValue<string>() == kind
            ? obj["reference"]?["id"]
            : null;
        return id?.GetValueKind() == JsonValueKind.String && id.GetValue<string>().Length is > 0 and <= 64
            ? null
            : $"must be a {kind} reference like {{\"$ref\": \"{kind}\", \"reference\": {{\"id\": \"yLBGtTjWN4ba\"}}}}";
    }

    private static string? Translations(JsonNode value)
    {
        if (value is not JsonObject byLocale)
        {
            return "must be an object of locale → translated metadata";
        }

        foreach (var (locale, translated) in byLocale)
        {
            if (!LocalePattern().IsMatch(locale) || translated is not JsonObject)
            {
                return $"has an invalid entry '{locale}': keys must be locales (like \"fr\") and values objects";
            }
        }

        return null;
    }

    /// The referenced entry's id of an li-image value, or null.
    public static string? MediaId(JsonNode? value) =>
        value is JsonObject obj && obj["mediaId"]?.GetValueKind() == JsonValueKind.String && obj["mediaId"]!.GetValue<string>() is { Length: > 0 and <= 64 } id
            ? id
            : null;

    public static bool IsDateTime(JsonNode? value) => value?.GetValueKind() == JsonValueKind.String && ParseDateTime(value) is not null;

    /// An ISO 8601 date-time with its offset (`2026-03-14T09:19:00.928Z`, `…+01:00`; seconds and
    /// fractions optional), and nothing else: .NET's general parser would also take RFC 1123
    /// (`Tue, 14 Mar 2026 09:19:00 GMT`), local times without an offset and other cultures' forms.
    public static DateTimeOffset? ParseDateTime(JsonNode? value)
    {
        if (value?.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetValue<string>();
        return IsoDateTime().IsMatch(text) &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})$")]
    private static partial Regex IsoDateTime();

    private static long? ConfigInt(MetadataProperty property, string name) =>
        property.Config[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    [GeneratedRegex("^[a-z][a-zA-Z0-9-]+$")]
    public static partial Regex LocalePattern();
}
