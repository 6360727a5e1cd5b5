using MediaLibrary.Api;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;

namespace MediaLibrary.Delivery;

/// serve-image's HTTP semantics of a body: conditional requests (If-None-Match, If-Modified-Since,
/// If-Range), byte ranges, and the copy of a file into the response.
internal static class ConditionalBody
{
    // Kestrel has no sendfile. The file's cached pages are read synchronously (cheaper than async
    // file I/O on Linux) straight into the response's own buffers: Kestrel's blocks are 32 KB here
    // (see LargeBlockMemoryPool), so a 200 KB original is seven reads and no copy in between.
    public static async Task CopyFileAsync(SafeFileHandle file, long offset, long length, HttpResponse response, CancellationToken ct)
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

    /// `datesValidate: false` for bytes that may change within a second (an edited image, SPEC §17):
    /// only the ETag says whether a copy is current, never a date.
    public static bool NotModified(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset lastModified, bool datesValidate = true)
    {
        if (request.IfNoneMatch is { Count: > 0 } candidates)
        {
            return candidates.Any(c => c.Equals(EntityTagHeaderValue.Any) || c.Compare(etag, useStrongComparison: false));
        }

        return datesValidate && request.IfModifiedSince is { } since && lastModified <= since;
    }

    // If-Range: the range is honoured only while the validator still matches; otherwise the whole image.
    public static bool RangeApplies(RequestHeaders request, EntityTagHeaderValue etag, DateTimeOffset lastModified, bool datesValidate = true) =>
        request.IfRange is not { } ifRange ||
        (ifRange.EntityTag is { } tag ? tag.Compare(etag, useStrongComparison: true) : datesValidate && ifRange.LastModified == lastModified);

    public static (long Offset, long Length)? Resolve(Microsoft.Net.Http.Headers.RangeItemHeaderValue range, long size) => Resolve(range.From, range.To, size);

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
}
