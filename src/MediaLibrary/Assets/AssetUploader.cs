using System.Buffers;
using System.Security.Cryptography;
using MediaLibrary.Api;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Assets;

public sealed record AssetUploadResponse(
    string Key, string Url, long Size, int? Width, int? Height, double? Duration, string MimeType, string Filename, string Sha256,
    ExtractedMetadata? Extracted);

/// `POST /mediaLibrary/assets`: streams the body to a spool file (hashing and counting as it goes),
/// learns the type and size from the bytes, then hands the complete file to the blob store.
internal sealed class AssetUploader(
    IBlobStore store, IOptions<MediaLibraryOptions> options, TimeProvider time, AssetUrls urls, ILogger<AssetUploader> logger)
{
    public async Task<Results<Created<AssetUploadResponse>, JsonHttpResult<ErrorEnvelope>>> UploadAsync(
        HttpContext context, string? filename, CancellationToken ct)
    {
        if (CleanFilename(filename) is not { } name)
        {
            return ApiErrors.Validation("filename", "The query parameter filename is required: the file's name (at most 255 characters, no control characters).");
        }

        var limit = options.Value.Upload.MaxBytes;
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(context, limit);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var spoolDirectory = options.Value.SpoolDirectory;
        Directory.CreateDirectory(spoolDirectory);
        var spool = Path.Combine(spoolDirectory, Guid.NewGuid().ToString("N") + ".upload");
        try
        {
            var (size, sha256, head) = await SpoolAsync(context.Request.Body, spool, limit, ct);
            if (size > limit)
            {
                return TooLarge(context, limit);
            }

            if (size == 0)
            {
                return Invalid("EmptyFile", "The request body is empty: send the file's bytes as the body.");
            }

            var type = TypeSniffer.Detect(head);
            var allowed = options.Value.Upload.AllowedTypes.Split(',', StringSplitOptions.TrimEntries);
            if (type is null || !allowed.Contains(type.MimeType))
            {
                return ApiErrors.Result(StatusCodes.Status415UnsupportedMediaType, new
                {
                    name = "UnsupportedMediaType",
                    message = type is null
                        ? "The file's type is not recognised from its content."
                        : $"Files of type {type.MimeType} are not accepted here (allowed: {string.Join(", ", allowed)}).",
                });
            }

            if (FileIntegrity.Problem(spool, type) is { } damage)
            {
                return Invalid("InvalidFile", damage);
            }

            var probe = MediaProbe.Probe(spool, type);
            if (type.Kind == AssetKind.Image && (probe.Width is null || probe.Height is null))
            {
                return Invalid("InvalidFile", $"The {type.MimeType} file declares no width and height: it is damaged or not an image.");
            }

            var key = $"{time.GetUtcNow():yyyy'/'MM'/'dd}/{Guid.NewGuid()}.{type.Extension}";
            await store.PutFileAsync(key, spool, type.MimeType, ct);
            logger.LogInformation("Stored upload {Key} ({MimeType}, {Size} bytes, sha256 {Sha256}) in {Store}",
                key, type.MimeType, size, sha256, store.Name);

            var url = urls.For(key);
            return TypedResults.Created(url, new AssetUploadResponse(
                key, url, size, probe.Width, probe.Height, probe.Duration, type.MimeType, name, sha256, probe.Extracted));
        }
        finally
        {
            File.Delete(spool);
        }
    }

    private static async Task<(long Size, string Sha256, byte[] Head)> SpoolAsync(Stream body, string spool, long limit, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        var head = new byte[TypeSniffer.HeaderBytes];
        var headLength = 0;
        long size = 0;
        try
        {
            await using var file = new FileStream(spool, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0,
            });
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > limit)
                {
                    return (size, "", []);
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

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()), head[..headLength]);
    }

    private static string? CleanFilename(string? filename)
    {
        var name = Path.GetFileName(filename?.Replace('\\', '/').Trim() ?? "");
        return name.Length is 0 or > 255 || name.Any(char.IsControl) ? null : name;
    }

    private static JsonHttpResult<ErrorEnvelope> TooLarge(HttpContext context, long limit)
    {
        ApiErrors.CloseAfterResponse(context);
        return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge,
            new { name = "PayloadTooLarge", message = $"The file is larger than the limit of {limit} bytes." });
    }

    private static JsonHttpResult<ErrorEnvelope> Invalid(string name, string message) =>
        ApiErrors.Result(StatusCodes.Status400BadRequest, new { name, message });
}
