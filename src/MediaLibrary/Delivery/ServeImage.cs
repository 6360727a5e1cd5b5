using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using Microsoft.Win32.SafeHandles;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace MediaLibrary.Delivery;

/// GET/HEAD /mediaLibrary/serve-image/{key}: the original bytes for image proxies and CDNs
/// (SPEC §3), or with imgix-style parameters a rendered variant (SPEC §11). Headers, 304 and HEAD
/// of originals come from the database alone; only a body reads storage. A bearer token with the
/// read scope, or (with signing keys configured) a signed URL, lets a request in.
internal sealed class ServeImage(
    IKeyUses keyUses, MediaTypeCatalog types, IBlobStore blobs, VariantCache variants, UrlSigner signer, TimeProvider time,
    IOptions<MediaLibraryOptions> options, ILogger<ServeImage> logger)
{
    private const string SvgPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    public async Task ServeAsync(HttpContext context, string key, CancellationToken ct)
    {
        if (!await AuthorizeAsync(context))
        {
            return;
        }

        var (spec, errors) = TransformSpec.Parse(context.Request.Query);
        if (errors.Count > 0)
        {
            await ApiErrors.Write(context, StatusCodes.Status400BadRequest, errors);
            return;
        }

        var response = context.Response;
        var uses = BlobKey.IsValid(key) && !key.StartsWith(VariantCache.Prefix, StringComparison.Ordinal) ? await keyUses.FindAsync(key, ct) : [];
        var images = uses.Where(u => types.Find(u.MediaType)?.Kind == AssetKind.Image && u.MimeType?.StartsWith("image/", StringComparison.Ordinal) == true).ToList();
        if (images.Count == 0)
        {
            await ApiErrors.Write(context, StatusCodes.Status404NotFound, new { message = "No image found." });
            return;
        }

        // Every answer names the entries, so a CDN purges an entry's original and variants by tag.
        var entryIds = images.Select(i => i.EntryId).Distinct(StringComparer.Ordinal).ToList();
        response.Headers["Surrogate-Key"] = string.Join(' ', entryIds);
        response.Headers["Cache-Tag"] = string.Join(',', entryIds);

        // Revocation is about the picture: one revoked or invalid entry using these bytes stops delivery of it and every variant.
        var now = time.GetUtcNow();
        if (images.Any(u => EntryState.Of(types.Find(u.MediaType), u.Revoked, u.Metadata, now) != EntryState.Active))
        {
            response.Headers.CacheControl = "no-store";
            await ApiErrors.Write(context, StatusCodes.Status403Forbidden, new { message = "The requested image is revoked or marked as invalid" });
            return;
        }

        var image = images[0];
        var lastModified = TruncateToSeconds(image.AddedAt ?? DateTimeOffset.UnixEpoch);
        var sourceTag = image.Sha256 ?? KeyTag(key, image.Size);

        // SPEC §17: an entry's edits apply to its bytes wherever they are served. When several
        // entries share the bytes, every entry's hidden regions are hidden (redaction must hold);
        // the turn and focal point are those of the first entry (by id) that has edits.
        var edited = images.Any(i => i.ImageEdits is not null)
            ? images.Where(i => i.ImageEdits is not null).OrderBy(i => i.EntryId, StringComparer.Ordinal).ToList()
            : null;
        if (edited is not null && ImageEdits.Merge([.. edited.Select(i => ImageEdits.FromStored(i.ImageEdits)).OfType<ImageEdits>()]) is { } edits)
        {
            // New bytes at the same URL: a cache revalidating by date must not keep the old ones.
            var changed = edited.Max(i => i.UpdatedAt);
            lastModified = TruncateToSeconds(changed > lastModified ? changed : lastModified);
            if (spec is null && edits.ChangesPixels)
            {
                spec = TransformSpec.Original;
            }

            if (spec is not null)
            {
                spec = spec with { Edits = edits };
            }
        }

        if (spec is null)
        {
            if (!await SendAsync(context, key, new EntityTagHeaderValue($"\"{sourceTag}\""), lastModified, image.MimeType!, image.Size ?? 0, ct))
            {
                logger.LogError("Key {Key} of entry {EntryId} is missing from the {Store} store", key, image.EntryId, blobs.Name);
                await ApiErrors.Write(context, StatusCodes.Status404NotFound, new { message = "No image found." });
            }

            return;
        }

        await ServeVariantAsync(context, key, image, spec, sourceTag, lastModified, ct);
    }

    private async Task ServeVariantAsync(HttpContext context, string key, KeyUse image, TransformSpec spec, string sourceTag, DateTimeOffset lastModified, CancellationToken ct)
    {
        var source = TypeSniffer.All.FirstOrDefault(t => t.MimeType == image.MimeType) ?? TypeSniffer.Jpeg;
        var format = spec.OutputFormat(source, context.Request.Headers.Accept);
        if (spec.AutoFormat)
        {
            context.Response.Headers.Vary = "Accept";
        }

        // Strong, per variant: the source's bytes and the normalised parameters. Known before rendering, so a 304 renders nothing.
        var canonical = spec.Canonical(format);
        var etag = new EntityTagHeaderValue($"\"{sourceTag[..Math.Min(32, sourceTag.Length)]}-{ParameterTag(canonical)}\"");
        var datesValidate = spec.Edits is null;
        if (ConditionalBody.NotModified(context.Request.GetTypedHeaders(), etag, lastModified, datesValidate))
        {
            SetValidators(context.Response, etag, lastModified);
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            Variant variant;
            try
            {
                variant = await variants.GetAsync(key, spec, format, ct);
            }
            catch (UnrenderableException e)
            {
                await ApiErrors.Write(context, StatusCodes.Status422UnprocessableEntity, new { name = "UnprocessableImage", message = e.Message });
                return;
            }
            catch (RectOutsideException e)
            {
                await ApiErrors.Write(context, StatusCodes.Status400BadRequest, new Dictionary<string, string> { ["rect"] = e.Message });
                return;
            }

            if (await SendAsync(context, variant.Key, etag, lastModified, variant.MimeType, variant.Size, ct, variants.BytesOf(variant.Key), variants.Hold, datesValidate))
            {
                return;
            }

            // Evicted by another process between lookup and read: render it again.
            await variants.ForgetAsync(variant.Key, ct);
        }

        await ApiErrors.Write(context, StatusCodes.Status404NotFound, new { message = "No image found." });
    }

    /// A bearer token with the read scope, or a valid signed URL when signing keys are configured.
    private async Task<bool> AuthorizeAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            if (context.User.HasClaim(BearerAuthenticationHandler.ScopeClaim, Clients.Scopes.Read))
            {
                return true;
            }

            await context.ForbidAsync();
            return false;
        }

        if (!string.IsNullOrEmpty(context.Request.Headers.Authorization) || !signer.Enabled)
        {
            await context.ChallengeAsync();
            return false;
        }

        var check = signer.Verify(context);
        if (check == SignatureCheck.Valid)
        {
            return true;
        }

        context.Response.Headers.CacheControl = "no-store";
        await ApiErrors.Write(context, StatusCodes.Status403Forbidden, new Dictionary<string, string>
        {
            ["s"] = check switch
            {
                SignatureCheck.NotSigned => "The URL is not signed: send a bearer token or use a signed URL.",
                SignatureCheck.Expired => "The signed URL has expired.",
                _ => "The URL's signature is not valid.",
            },
        });
        return false;
    }

    /// The blob with its validators: 304, Range (206/416), HEAD, or the body (from `held` when the
    /// bytes are in memory; `hold` is offered a small blob read whole). False when the blob is
    /// missing (nothing written yet).
    private async Task<bool> SendAsync(
        HttpContext context, string blobKey, EntityTagHeaderValue etag, DateTimeOffset lastModified, string mimeType, long size, CancellationToken ct,
        byte[]? held = null, Action<string, byte[]>? hold = null, bool datesValidate = true)
    {
        var response = context.Response;
        SetValidators(response, etag, lastModified);
        response.Headers.AcceptRanges = "bytes";
        response.Headers.XContentTypeOptions = "nosniff";
        if (mimeType == TypeSniffer.Svg.MimeType)
        {
            response.Headers.ContentSecurityPolicy = SvgPolicy;
        }

        var request = context.Request.GetTypedHeaders();
        if (ConditionalBody.NotModified(request, etag, lastModified, datesValidate))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }

        var (offset, length, partial) = (0L, size, false);
        if (ConditionalBody.RangeApplies(request, etag, lastModified, datesValidate) && request.Range is { Ranges.Count: 1 } range)
        {
            if (ConditionalBody.Resolve(range.Ranges.First(), size) is not { } resolved)
            {
                response.Headers.ContentRange = $"bytes */{size}";
                await ApiErrors.Write(context, StatusCodes.Status416RangeNotSatisfiable,
                    new { name = "RangeNotSatisfiable", message = $"The image has {size} bytes; the requested range is outside it." });
                return true;
            }

            (offset, length, partial) = (resolved.Offset, resolved.Length, true);
            response.Headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{size}";
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = mimeType;
            response.ContentLength = length;
            return true;
        }

        if (held is not null && held.LongLength == size)
        {
            response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
            response.ContentType = mimeType;
            response.ContentLength = length;
            await response.Body.WriteAsync(held.AsMemory((int)offset, (int)length), ct);
            return true;
        }

        if (hold is not null && !partial && size <= 64 * 1024)
        {
            await using var whole = await blobs.OpenAsync(blobKey, 0, size, ct);
            if (whole is null)
            {
                response.Headers.Remove(HeaderNames.ETag);
                response.Headers.Remove(HeaderNames.LastModified);
                return false;
            }

            var bytes = new byte[size];
            await whole.Content.ReadExactlyAsync(bytes, ct);
            hold(blobKey, bytes);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = mimeType;
            response.ContentLength = size;
            await response.Body.WriteAsync(bytes, ct);
            return true;
        }

        await using var blob = await blobs.OpenAsync(blobKey, offset, length, ct);
        if (blob is null)
        {
            response.Headers.Remove(HeaderNames.ETag);
            response.Headers.Remove(HeaderNames.LastModified);
            response.Headers.Remove(HeaderNames.ContentRange);
            return false;
        }

        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = mimeType;
        response.ContentLength = length;
        if (blob.File is not null)
        {
            await ConditionalBody.CopyFileAsync(blob.File, offset, length, response, ct);
        }
        else
        {
            await blob.Content.CopyToAsync(response.Body, 64 * 1024, ct);
        }

        return true;
    }

    private void SetValidators(HttpResponse response, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        var headers = response.GetTypedHeaders();
        headers.ETag = etag;
        headers.LastModified = lastModified;
        response.Headers.CacheControl = options.Value.Delivery.CacheControl;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> ParameterTags = new(StringComparer.Ordinal);

    /// 16 hex digits of the canonical parameters' SHA-256 (remembered: the same few parameter sets come again and again).
    private static string ParameterTag(string canonical)
    {
        if (ParameterTags.TryGetValue(canonical, out var tag))
        {
            return tag;
        }

        if (ParameterTags.Count > 10_000)
        {
            ParameterTags.Clear();
        }

        return ParameterTags[canonical] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    private static string KeyTag(string key, long? size) =>
        "k" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{key}:{size}")))[..32];

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));
}
