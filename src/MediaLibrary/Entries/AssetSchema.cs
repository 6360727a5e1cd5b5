using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Api;
using MediaLibrary.Assets;

namespace MediaLibrary.Entries;

/// The `asset` object of an entry (SPEC §2): required fields depend on the media type's kind.
/// `url` is accepted but not stored: answers build it from configuration and the key.
internal static partial class AssetSchema
{
    /// The asset as stored, or null when the shape is wrong (errors are added to `shape`).
    public static JsonObject? Read(JsonShape shape, JsonNode? node, string path, AssetKind kind)
    {
        var before = shape.Errors.Count;
        var obj = shape.Object(node, path, RequestSchema<AssetRequest>.Properties);
        if (obj is null)
        {
            return null;
        }

        var key = shape.String(obj, path, "key", required: true, maxLength: BlobKey.MaxLength);
        if (key is not null && BlobKey.Problem(key) is { } problem)
        {
            shape.Add(JsonShape.Join(path, "key"), problem);
        }

        shape.String(obj, path, "url", required: true, maxLength: 4096);
        var size = shape.Integer(obj, path, "size", required: true);
        var dimensions = kind != AssetKind.File;
        var width = shape.Integer(obj, path, "width", required: dimensions, min: 1, max: int.MaxValue);
        var height = shape.Integer(obj, path, "height", required: dimensions, min: 1, max: int.MaxValue);
        var duration = shape.Number(obj, path, "duration", required: kind == AssetKind.Video);
        var mimeType = shape.String(obj, path, "mimeType", required: true, maxLength: 200);
        if (mimeType is not null && !MimeType().IsMatch(mimeType))
        {
            shape.Add(JsonShape.Join(path, "mimeType"), "must be a MIME type like image/jpeg");
        }

        var filename = shape.String(obj, path, "filename", required: true, maxLength: 255);
        var sha256 = shape.String(obj, path, "sha256", required: false, maxLength: 64);
        if (sha256 is not null && !Sha256().IsMatch(sha256))
        {
            shape.Add(JsonShape.Join(path, "sha256"), "must be 64 lowercase hex digits");
        }

        if (shape.Errors.Count > before)
        {
            return null;
        }

        var stored = new JsonObject { ["key"] = key, ["size"] = size };
        if (width is not null)
        {
            stored["width"] = width;
            stored["height"] = height;
        }

        if (duration is not null)
        {
            stored["duration"] = duration;
        }

        stored["mimeType"] = mimeType;
        stored["filename"] = filename;
        if (sha256 is not null)
        {
            stored["sha256"] = sha256;
        }

        return stored;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*$")]
    private static partial Regex MimeType();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();
}
