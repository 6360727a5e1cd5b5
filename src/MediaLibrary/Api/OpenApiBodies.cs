using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MediaLibrary.Api;

/// What the API reference cannot learn from handlers that read their body themselves: the request
/// body's record, and answers whose shape depends on the API version. Attached to endpoints as
/// metadata; <see cref="Describe"/> turns it into the operation's request body and responses.
internal static class OpenApiBodies
{
    private sealed record JsonRequestBody(Type Type);

    private sealed record FileRequestBody;

    private sealed record VersionedAnswer(int Status, Type Before, Type From, ApiVersion Since);

    public static RouteHandlerBuilder AcceptsJsonBody<T>(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new JsonRequestBody(typeof(T)));

    /// The body is the file itself, of any type (the type is read from the bytes).
    public static RouteHandlerBuilder AcceptsFileBody(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new FileRequestBody());

    /// `Before` answers versions older than `since`, `From` that version and later.
    public static RouteHandlerBuilder AnswersByVersion<TBefore, TFrom>(this RouteHandlerBuilder endpoint, ApiVersion since, int status = StatusCodes.Status200OK) =>
        endpoint.WithMetadata(new VersionedAnswer(status, typeof(TBefore), typeof(TFrom), since));

    public static async Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<JsonRequestBody>().FirstOrDefault() is { } json)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "Unknown properties are refused (400), as in Livingdocs; problems are named by their JSON path.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(json.Type, cancellationToken: ct) },
                },
            };
        }

        if (metadata.OfType<FileRequestBody>().Any())
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The file's bytes. The Content-Type sent is ignored: the type comes from the bytes.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
        }

        foreach (var answer in metadata.OfType<VersionedAnswer>())
        {
            operation.Responses ??= [];
            operation.Responses[answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"Before {answer.Since.Name}: the first shape; from {answer.Since.Name} on: the second.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            OneOf =
                            [
                                await context.GetOrCreateSchemaAsync(answer.Before, cancellationToken: ct),
                                await context.GetOrCreateSchemaAsync(answer.From, cancellationToken: ct),
                            ],
                        },
                    },
                },
            };
        }

        if (context.Description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true)
        {
            operation.Responses ??= [];
            var envelope = await context.GetOrCreateSchemaAsync(typeof(ErrorEnvelope), cancellationToken: ct);
            foreach (var (status, when) in ErrorAnswers)
            {
                if (!operation.Responses.ContainsKey(status))
                {
                    operation.Responses[status] = new OpenApiResponse
                    {
                        Description = when,
                        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = envelope } },
                    };
                }
            }
        }
    }

    private static readonly (string Status, string When)[] ErrorAnswers =
    [
        ("400", "The request is not valid: error_details names each problem by its JSON path or parameter."),
        ("401", "The token is missing, invalid or expired."),
        ("403", "The token lacks the scope (public-api:read or public-api:write)."),
        ("404", "No such entry or route, or a version that does not have this route."),
    ];
}
