using Microsoft.AspNetCore.Http.Features;

namespace MediaLibrary.Api;

/// Refuses URLs and headers that are not valid text (see <see cref="InputText"/>) before a route
/// value, query parameter (such as the upload's `filename`) or header is read as a string.
/// Runs after authentication: a bad token is still a 401 first.
internal sealed class InputTextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var rawPath = string.IsNullOrEmpty(rawTarget) ? request.Path.Value.AsSpan() : rawTarget.AsSpan();
        if (rawPath.IndexOf('?') is var question and >= 0)
        {
            rawPath = rawPath[..question];
        }

        if (!InputText.IsValidPercentEncoded(rawPath))
        {
            return Refuse(context, "path", $"The URL path {InputText.Problem}.");
        }

        if (request.QueryString.Value is { Length: > 1 } query && !InputText.IsValidPercentEncoded(query))
        {
            return Refuse(context, QueryParameterAt(query), InputText.Problem);
        }

        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && !InputText.IsValidUtf16(value))
                {
                    return Refuse(context, $"headers.{name}", InputText.Problem);
                }
            }
        }

        return next(context);
    }

    // The name of the first query parameter whose name or value is not text (`query` if its name is unreadable).
    private static string QueryParameterAt(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            if (!InputText.IsValidPercentEncoded(pair))
            {
                var name = pair.Split('=', 2)[0];
                return InputText.IsValidPercentEncoded(name) ? Uri.UnescapeDataString(name) : "query";
            }
        }

        return "query";
    }

    private static Task Refuse(HttpContext context, string where, string message) =>
        ApiErrors.Write(context, StatusCodes.Status400BadRequest, new Dictionary<string, string> { [where] = message });
}
