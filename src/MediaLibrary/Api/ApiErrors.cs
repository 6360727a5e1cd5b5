using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;

namespace MediaLibrary.Api;

/// The one place that produces the Livingdocs error envelope (SPEC §1):
/// `{"status": 409, "error": "Conflict", "error_details": {...}}`.
public sealed record ErrorEnvelope(int Status, string Error, [property: JsonPropertyName("error_details")] object ErrorDetails);

internal static class ApiErrors
{
    public static ErrorEnvelope Envelope(int status, object details) =>
        new(status, ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error", details);

    public static JsonHttpResult<ErrorEnvelope> Result(int status, object details) =>
        TypedResults.Json(Envelope(status, details), AppJson.Options, statusCode: status);

    public static Task Write(HttpContext context, int status, object details)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Envelope(status, details), AppJson.Options, context.RequestAborted);
    }

    /// The rest of an unread body stays on the wire: the client must not reuse this connection.
    public static void CloseAfterResponse(HttpContext context) => context.Response.Headers.Connection = "close";

    public static JsonHttpResult<ErrorEnvelope> NotFound(string message) =>
        Result(StatusCodes.Status404NotFound, new { name = "NotFound", message });

    /// A route the caller's API version does not have yet: 404 naming the route, as Livingdocs answers.
    public static JsonHttpResult<ErrorEnvelope> RouteNotFound(string url) =>
        Result(StatusCodes.Status404NotFound, new Dictionary<string, string> { ["url"] = url });

    public static JsonHttpResult<ErrorEnvelope> EntryNotFound(string id) =>
        NotFound($"MediaLibrary Entry does not exist (id: '{id}')");

    /// 400 with JSON-path keys: `{"patches.0.operation": "No enum match for: \"nope\""}`.
    public static JsonHttpResult<ErrorEnvelope> Validation(IReadOnlyDictionary<string, string> errors) =>
        Result(StatusCodes.Status400BadRequest, errors);

    public static JsonHttpResult<ErrorEnvelope> Validation(string path, string message) =>
        Validation(new Dictionary<string, string> { [path] = message });
}
