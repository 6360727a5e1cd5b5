using System.Diagnostics;
using System.Security.Claims;

namespace MediaLibrary.Api;

/// One structured line per request with its id (echoed as X-Request-Id). Headers and query
/// strings are never logged, so tokens cannot reach the logs.
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = context.TraceIdentifier;
        context.Response.Headers["X-Request-Id"] = requestId;
        // Nothing is allocated for the line or its scope when request lines are not logged.
        if (!logger.IsEnabled(LogLevel.Information))
        {
            await next(context);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId });
        try
        {
            await next(context);
        }
        finally
        {
            // With traces on, the line names the request's trace (the 500 envelope's traceId is it too).
            logger.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0} ms client={Client} request={RequestId} trace={TraceId}",
                context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                context.User.FindFirstValue(ClaimTypes.Name) ?? "-", requestId, Activity.Current?.TraceId.ToHexString() ?? "-");
        }
    }
}
