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
    IBlobStore store, Storage.Database database, IOptions<MediaLibraryOptions> options, TimeProvider time, IAssetUrls urls, ILogger<AssetUploader> logger)
{
    public async Task<Results<Created<AssetUploadResponse>, JsonHttpResult<ErrorEnvelope>>> UploadAsync(
        HttpContext context, string? filename, CancellationToken ct)
    {
        // A form upload (curl -F, an HTML form) wraps the file in multipart framing; the bytes
        // would be sniffed as nothing. Say what to send instead.
        if (context.Request.ContentType is { } contentType && contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return ApiErrors.Result(StatusCodes.Status415UnsupportedMediaType, new
            {
                name = "UnsupportedMediaType",
                message = "Multipart form uploads are not accepted: send the file's raw bytes as the request body " +
                          "(curl --data-binary @photo.jpg) with its name in ?filename=.",
            });
        }

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
            var spooled = await SpooledAsset.CopyAsync(context.Request.Body, spool, limit, ct);
            if (spooled.Size > limit)
            {
                return TooLarge(context, limit);
            }

            if (spooled.Size == 0)
            {
                return Invalid("EmptyFile", "The request body is empty: send the file's bytes as the body.");
            }

            var inspection = SpooledAsset.Inspect(spool, spooled, options.Value.Upload.AllowedTypes);
            if (!inspection.Ok)
            {
                return ApiErrors.Result(inspection.Status, new { name = inspection.Name, message = inspection.Problem });
            }

            var (type, probe) = (inspection.Type!, inspection.Probe!);
            var key = SpooledAsset.NewKey(time, type);
            await Lifecycle.Uploads.RecordAsync(database, key, time.GetUtcNow(), ct);
            await store.PutFileAsync(key, spool, type.MimeType, ct);
            Hosting.Telemetry.StoredBytes.Add(spooled.Size, new KeyValuePair<string, object?>("source", "upload"));
            logger.LogInformation("Stored upload {Key} ({MimeType}, {Size} bytes, sha256 {Sha256}) in {Store}",
                key, type.MimeType, spooled.Size, spooled.Sha256, store.Name);

            var url = urls.For(key);
            return TypedResults.Created(url, new AssetUploadResponse(
                key, url, spooled.Size, probe.Width, probe.Height, probe.Duration, type.MimeType, name, spooled.Sha256, probe.Extracted));
        }
        finally
        {
            File.Delete(spool);
        }
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
