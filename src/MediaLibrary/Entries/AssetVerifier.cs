using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;

namespace MediaLibrary.Entries;

/// The stored file behind an asset `key`, as storage knows it.
public sealed record StoredKey(string Key, string MimeType, long Size, string? Sha256);

/// Checks an asset against the bytes in storage instead of trusting the client: the key must
/// exist, its content must be of the media type's kind, and `size` and `mimeType` come from storage.
internal sealed class AssetVerifier(IBlobStore blobs)
{
    public async Task<StoredKey?> VerifyAsync(JsonShape shape, JsonObject asset, string path, AssetKind kind, CancellationToken ct)
    {
        var key = asset["key"]!.GetValue<string>();
        await using var head = await blobs.OpenAsync(key, 0, TypeSniffer.HeaderBytes, ct);
        if (head is null)
        {
            shape.Add($"{path}.key", $"no file with key '{key}' exists in storage; upload it first");
            return null;
        }

        var bytes = new byte[head.Length];
        await head.Content.ReadExactlyAsync(bytes, ct);
        var type = TypeSniffer.Detect(bytes);
        if (kind != AssetKind.File && type?.Kind != kind)
        {
            shape.Add($"{path}.key", $"the stored file is {type?.MimeType ?? "of an unrecognised type"}, not {Article(kind)}");
            return null;
        }

        // A file entry may hold anything; an undetectable one keeps the client's type (it is never served as an image).
        var mimeType = type?.MimeType ?? asset["mimeType"]!.GetValue<string>();
        asset["size"] = head.TotalLength;
        asset["mimeType"] = mimeType;
        return new StoredKey(key, mimeType, head.TotalLength, asset["sha256"]?.GetValue<string>());
    }

    private static string Article(AssetKind kind) => kind switch
    {
        AssetKind.Image => "an image",
        AssetKind.Video => "a video",
        _ => "a file",
    };
}
