using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Api;

/// Header and URL limits with the envelope. Kestrel's own limits sit at twice these, so only
/// absurd requests meet Kestrel's bare answer.
internal sealed class RequestLimitsMiddleware(RequestDelegate next, IOptions<MediaLibraryOptions> options)
{
    public const int MaxUrlBytes = 8 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var urlLength = request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (urlLength > MaxUrlBytes)
        {
            ApiErrors.CloseAfterResponse(context);
            return ApiErrors.Write(context, StatusCodes.Status414UriTooLong,
                new { name = "UriTooLong", message = $"The URL is longer than {MaxUrlBytes} characters." });
        }

        var limit = options.Value.Limits.MaxHeaderBytes;
        var size = 0;
        foreach (var (name, values) in request.Headers)
        {
            size += name.Length + 4;
            foreach (var value in values)
            {
                size += value?.Length ?? 0;
            }
        }

        if (size > limit)
        {
            ApiErrors.CloseAfterResponse(context);
            return ApiErrors.Write(context, StatusCodes.Status431RequestHeaderFieldsTooLarge,
                new { name = "RequestHeaderFieldsTooLarge", message = $"The request headers are larger than {limit} bytes." });
        }

        return next(context);
    }
}
