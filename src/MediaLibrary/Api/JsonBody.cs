using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Api;

/// Reads a JSON request body with the service's limits: JSON content type (415), size (413),
/// depth, duplicate keys and syntax (400). Handlers then check the shape with <see cref="JsonShape"/>.
internal sealed class JsonBody(IOptions<MediaLibraryOptions> options)
{
    public async Task<(JsonNode? Body, JsonHttpResult<ErrorEnvelope>? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, ApiErrors.Result(StatusCodes.Status415UnsupportedMediaType,
                new { name = "UnsupportedMediaType", message = "Send the body as application/json." }));
        }

        var limit = options.Value.MaxJsonBodyBytes;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(request.HttpContext, limit));
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, limit) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await request.Body.ReadAsync(memory, ct);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                return (null, TooLarge(request.HttpContext, limit));
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return (null, ApiErrors.Result(StatusCodes.Status400BadRequest, new { name = "BadRequest", message = "The request body is empty; send a JSON object." }));
        }

        if (InputText.FirstInvalidJsonString(buffer.WrittenSpan, options.Value.Limits.MaxJsonDepth) is { } path)
        {
            return (null, ApiErrors.Validation(path, InputText.Problem));
        }

        try
        {
            var body = JsonNode.Parse(buffer.WrittenSpan, documentOptions: new JsonDocumentOptions
            {
                MaxDepth = options.Value.Limits.MaxJsonDepth, AllowDuplicateProperties = false,
            });
            return (body, null);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            var detail = e is JsonException { LineNumber: { } line, BytePositionInLine: { } position }
                ? $" (line {line + 1}, byte {position + 1})"
                : "";
            return (null, ApiErrors.Result(StatusCodes.Status400BadRequest,
                new { name = "BadRequest", message = $"The request body is not valid JSON{detail}: malformed, nested deeper than {options.Value.Limits.MaxJsonDepth}, or with a duplicate key." }));
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static JsonHttpResult<ErrorEnvelope> TooLarge(HttpContext context, long limit)
    {
        ApiErrors.CloseAfterResponse(context);
        return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge,
            new { name = "PayloadTooLarge", message = $"The request body is larger than the limit of {limit} bytes." });
    }
}
