using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Entries;

/// The parts of a translation as the import's `translations` items and the setTranslation
/// operation give them: the locale, the metadata (checked by the media type, nothing required)
/// and the asset (for media types whose assets are translatable). Shape problems go into the
/// JsonShape; metadata problems are returned, for the caller to report in its own envelope.
internal static class TranslationSchema
{
    public static string? Locale(JsonShape shape, JsonObject translation, string path)
    {
        var locale = shape.String(translation, path, "locale", required: true, maxLength: 35);
        if (locale is not null && !MetadataValidator.LocalePattern().IsMatch(locale))
        {
            shape.Add($"{path}.locale", "must match ^[a-z][a-zA-Z0-9-]+$");
            return null;
        }

        return locale;
    }

    /// The translation's metadata without nulls, or null when absent or not an object.
    public static JsonObject? Metadata(JsonShape shape, JsonObject translation, string path, MediaTypeDefinition type, List<MetadataError> errors)
    {
        if (translation["metadata"] is not { } node)
        {
            return null;
        }

        if (node is not JsonObject metadata)
        {
            shape.Add($"{path}.metadata", "must be an object");
            return null;
        }

        errors.AddRange(MetadataRules.Check(type, metadata, requireRequired: false)
            .Select(e => e with { MetadataProperty = $"{path}.metadata.{e.MetadataProperty}" }));
        return MetadataRules.WithoutNulls(metadata);
    }

    /// The translation's asset, or null when absent or invalid.
    public static JsonObject? Asset(JsonShape shape, JsonObject translation, string path, MediaTypeDefinition type)
    {
        if (translation["asset"] is not { } node)
        {
            return null;
        }

        if (!type.Translatable)
        {
            shape.Add($"{path}.asset", $"assets of media type '{type.Handle}' are not translatable");
            return null;
        }

        return AssetSchema.Read(shape, node, $"{path}.asset", type.Kind);
    }
}
