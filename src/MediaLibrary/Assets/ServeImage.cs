using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace MediaLibrary.Assets;

/// GET/HEAD /mediaLibrary/serve-image/{key}: the original bytes for image proxies and CDNs
/// (SPEC §3). Headers, 304 and HEAD come from the database alone; only a body reads storage.
internal sealed class ServeImage(
    EntryStore entries, MediaTypeCatalog types, IBlobStore blobs, TimeProvider time, IOptions<MediaLibraryOptions> options, ILogger<ServeImage> logger)
{
    private const string SvgPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    public async Task ServeAsync(HttpContext context, string key, CancellationToken ct)
    {
        var response = context.Response;
        var uses = BlobKey.IsValid(key) ? await entries.FindKeyUsesAsync(key, ct) : [];
        var images = uses.Where(u => types.Find(u.MediaType)?.Kind == AssetKind.Image && u.MimeType?.StartsWith("image/", StringComparison.Ordinal) == true).ToList();
        if (images.Count == 0)
        {
            await ApiErrors.Write(context, StatusCodes.Status404NotFound, new { message = "No image found." });
            return;
        }

        // Revocation is about the picture: one revoked or invalid entry using these bytes stops delivery.
        var now = time.GetUtcNow();
        if (images.Any(u => EntryState.Of(types.Find(u.MediaType), u.Revoked, u.Metadata, now) != EntryState.Active))
        {
            response.Headers.CacheControl = "no-store";
            await ApiErrors.Write(context, StatusCodes.Status403Forbidden, new { message = "The requested image is revoked or marked as invalid" });
            return;
        }

        var image = images[0];
        var etag = new EntityTagHeaderValue($"\"{image.Sha256 ?? KeyTag(key, image.Size)}\"");
        var lastModified = TruncateToSeconds(image.AddedAt ?? DateTimeOffset.UnixEpoch);
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = lastModified;
        response.Headers.CacheControl = options.Value.Delivery.CacheControl;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = "nosniff";
        if (image.MimeType == TypeSniffer.Svg.MimeType)
        {
            response.Headers.ContentSecurityPolicy = SvgPolicy;
        }

        var request = context.Request.GetTypedHeaders();
        if (NotModified(request, etag, lastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var size = image.Size ?? 0;
        var (offset, length, partial) = (0L, size, false);
        if (RangeApplies(request, etag, lastModified) && request.Range is { Ranges.Count: 1 } range)
        {
            if (Resolve(range.Ranges.First(), size) is not { } resolved)
            {
                response.Headers.ContentRange = $"bytes */{size}";
                await ApiErrors.Write(context, StatusCodes.Status416RangeNotSatisfiable,
                    new { name = "RangeNotSatisfiable", message = $"The image has {size} bytes; the requested range is outside it." });
                return;
            }

            (offset, length, partial) = (resolved.Offset, resolved.Length, true);
            response.Headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{size}";
        }

        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = image.MimeType;
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await using var blob = await blobs.OpenAsync(key, offset, length, ct);
        if (blob is null)
        {
            logger.LogError("Key {Key} of entry {EntryId} is missing from the {Store} store", key, image.EntryId, blobs.Name);
            response.Headers.Remove(HeaderNames.ETag);
            response.ContentLength = null;
            await ApiErrors.Write(context, StatusCodes.Status404NotFound, new { message = "No image found." });
            return;
        }

        if (blob.File is not null)
        {
            await CopyFileAsync(blob.File, offset, length, response, ct);
        }
        else
        {
            await blob.Content.CopyToAsync(response.Body, 64 * 1024, ct);
        }
    }

    // Kestrel has no sendfile. The file's cached pages are read synchronously (cheaper than async
    // file I/O on Linux) straight into the response's own buffers: Kestrel's blocks are 32 KB here
    // (see LargeBlockMemoryPool), so a 200 KB original is seven reads and no copy in between.
    private static async Task CopyFileAsync(SafeFileHandle file, long offset, long length, HttpResponse response, CancellationToken ct)
    {
        await response.StartAsync(ct);
        var writer = response.BodyWriter;
        var unflushed = 0L;
        while (length > 0)
        {
            var memory = writer.GetMemory((int)Math.Min(length, LargeBlockMemoryPool.BlockSize / 2));
            var read = RandomAccess.Read(file, memory.Span[..(int)Math.Min(memory.Length, length)], offset);
            if (read == 0)
            {
                throw new IOException("The file ended before its recorded size.");
            }

            writer.Advance(read);
            offset += read;
            length -= read;
            unflushed += read;
            if (unflushed >= FlushEvery || length == 0)
            {
                var flushed = await writer.FlushAsync(ct);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return;
                }

                unflushed = 0;
            }
        }
    }

    // Kestrel's response buffer is 1 MB (ApiSetup); flushing every 256 KB keeps the socket busy.
    private const long FlushEvery = 256 * 1024;

    private static bool NotModified(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.IfNoneMatch is { Count: > 0 } candidates)
        {
            return candidates.Any(c => c.Equals(EntityTagHeaderValue.Any) || c.Compare(etag, useStrongComparison: false));
        }

        return request.IfModifiedSince is { } since && lastModified <= since;
    }

    // If-Range: the range is honoured only while the validator still matches; otherwise the whole image.
    private static bool RangeApplies(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset lastModified) =>
        request.IfRange is not { } ifRange ||
        (ifRange.EntityTag is { } tag ? tag.Compare(etag, useStrongComparison: true) : ifRange.LastModified == lastModified);

    private static (long Offset, long Length)? Resolve(Microsoft.Net.Http.Headers.RangeItemHeaderValue range, long size) => Resolve(range.From, range.To, size);

    private static (long Offset, long Length)? Resolve(long? from, long? to, long size)
    {
        if (from is null)
        {
            // Suffix range: the last N bytes.
            var suffix = Math.Min(to ?? 0, size);
            return suffix <= 0 ? null : (size - suffix, suffix);
        }

        if (from >= size)
        {
            return null;
        }

        var last = Math.Min(to ?? size - 1, size - 1);
        return (from.Value, last - from.Value + 1);
    }

    private static string KeyTag(string key, long? size) =>
        "k" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}:{size}")))[..32];

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));
}
