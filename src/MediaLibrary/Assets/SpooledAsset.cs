using System.Buffers;
using System.Security.Cryptography;

namespace MediaLibrary.Assets;

/// A file received into the spool directory: its size, SHA-256 and first bytes, learned while it was written.
internal sealed record Spooled(long Size, string Sha256, byte[] Head);

/// What the file turned out to be, or why it is refused (`Status` 415 for a type that is not
/// accepted, 400 for a damaged file).
internal sealed record Inspection(DetectedType? Type, ProbeResult? Probe, int Status = 200, string? Name = null, string? Problem = null)
{
    public bool Ok => Problem is null;
}

/// What uploads and imports by URL share: the bytes are streamed to a spool file (hashed and
/// counted on the way, never held whole in memory), and type, integrity and dimensions come from
/// that file, never from what the client says.
internal static class SpooledAsset
{
    /// Copies `source` to a new file at `path`; stops as soon as more than `limit` bytes came
    /// (then `Size` is larger than `limit` and the file is incomplete).
    public static async Task<Spooled> CopyAsync(Stream source, string path, long limit, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        var head = new byte[TypeSniffer.HeaderBytes];
        var headLength = 0;
        long size = 0;
        try
        {
            await using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0,
            });
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > limit)
                {
                    return new Spooled(size, "", []);
                }

                if (headLength < head.Length)
                {
                    var take = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                    headLength += take;
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new Spooled(size, Convert.ToHexStringLower(hash.GetHashAndReset()), head[..headLength]);
    }

    /// Sniffs the type from the bytes, checks it against the accepted types (and the kind, when
    /// one is required), checks the file is whole and reads its dimensions from its headers.
    public static Inspection Inspect(string path, Spooled spooled, string allowedTypes, AssetKind? kind = null)
    {
        if (spooled.Size == 0)
        {
            return new Inspection(null, null, 400, "EmptyFile", "The file is empty.");
        }

        var type = TypeSniffer.Detect(spooled.Head);
        var allowed = allowedTypes.Split(',', StringSplitOptions.TrimEntries);
        if (type is null || !allowed.Contains(type.MimeType))
        {
            return new Inspection(type, null, 415, "UnsupportedMediaType", type is null
                ? "The file's type is not recognised from its content."
                : $"Files of type {type.MimeType} are not accepted here (allowed: {string.Join(", ", allowed)}).");
        }

        if (kind is { } wanted && wanted != AssetKind.File && type.Kind != wanted)
        {
            return new Inspection(type, null, 415, "UnsupportedMediaType",
                $"The file is {type.MimeType}, not {(wanted == AssetKind.Image ? "an image" : "a video")}.");
        }

        if (FileIntegrity.Problem(path, type) is { } damage)
        {
            return new Inspection(type, null, 400, "InvalidFile", damage);
        }

        var probe = MediaProbe.Probe(path, type);
        if (type.Kind == AssetKind.Image && (probe.Width is null || probe.Height is null))
        {
            return new Inspection(type, probe, 400, "InvalidFile", $"The {type.MimeType} file declares no width and height: it is damaged or not an image.");
        }

        return new Inspection(type, probe);
    }

    /// A new storage key for a file of `type`: date folders, a random name.
    public static string NewKey(TimeProvider time, DetectedType type) => $"{time.GetUtcNow():yyyy'/'MM'/'dd}/{Guid.NewGuid()}.{type.Extension}";
}
