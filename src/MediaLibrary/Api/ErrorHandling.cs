using System.Net.Sockets;
using System.Text.RegularExpressions;
using MediaLibrary.Storage;

namespace MediaLibrary.Api;

/// Turns anything unexpected into an envelope: 4xx for what Kestrel rejects, 503 when the
/// database is unreachable, 500 with a trace id (never a stack trace or SQL) otherwise.
internal sealed partial class ErrorEnvelopeMiddleware(RequestDelegate next, ILogger<ErrorEnvelopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException && e is not BadHttpRequestException)
        {
            logger.LogInformation("Client went away during {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        catch (Exception e)
        {
            // The trace's id when traces are on (SPEC §18), else the request's id (X-Request-Id).
            var (status, details) = Classify(e, System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
            if (status >= 500)
            {
                logger.LogError(e, "Request failed with {Status}", status);
            }

            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            if (e is BadHttpRequestException)
            {
                ApiErrors.CloseAfterResponse(context);
            }

            await ApiErrors.Write(context, status, details);
        }
    }

    private static (int Status, object Details) Classify(Exception e, string traceId) => e switch
    {
        BadHttpRequestException bad => (bad.StatusCode, new { name = Name(bad.StatusCode), message = bad.StatusCode == 413 ? "The request body is too large." : "The request is malformed." }),
        _ when IsDatabaseUnavailable(e) => (503, new { name = "ServiceUnavailable", message = "The database is not reachable; try again shortly.", traceId }),
        _ => (500, new { name = "InternalServerError", message = "An unexpected error occurred.", traceId }),
    };

    internal static bool IsDatabaseUnavailable(Exception e) => Dialect.IsUnavailable(e);

    private static string Name(int status) => WordBoundary().Replace(Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status), "");

    [GeneratedRegex(@"\W")]
    private static partial Regex WordBoundary();
}

internal static class StatusCodeEnvelope
{
    /// Unknown routes, wrong methods and other bodyless errors from the framework get the envelope too.
    public static IApplicationBuilder UseStatusCodeEnvelope(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            object details = status switch
            {
                404 => new Dictionary<string, string> { ["url"] = RouteTemplateOf(http.Request.Path) },
                405 => new { name = "MethodNotAllowed", message = $"{http.Request.Method} is not allowed on {http.Request.Path}." },
                _ => new { name = "Error", message = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) },
            };
            await ApiErrors.Write(http, status, details);
        });

    // Livingdocs reports the route with the version placeholder: /api/:apiVersion/foo.
    private static string RouteTemplateOf(PathString path)
    {
        var value = path.Value ?? "/";
        if (!value.StartsWith("/api/", StringComparison.Ordinal))
        {
            return value;
        }

        var next = value.IndexOf('/', 5);
        return "/api/:apiVersion" + (next < 0 ? "" : value[next..]);
    }
}
