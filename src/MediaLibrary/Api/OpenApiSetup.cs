using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace MediaLibrary.Api;

/// Describes what binding hides from the generator: the `{apiVersion}` path segment and bearer auth.
internal static class OpenApiSetup
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "MediaLibrary";
                document.Info.Description = "The Media Library part of the Livingdocs Public API, self-hosted. Errors use the Livingdocs envelope.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token from `MediaLibrary token create`.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(OpenApiBodies.Describe);
            // Short names in the reference's sidebar (from the operation's name, e.g. "Get latest
            // publication"); a longer summary moves into the description.
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (operation.OperationId is not { Length: > 0 } name)
                {
                    return Task.CompletedTask;
                }

                if (!string.IsNullOrEmpty(operation.Summary))
                {
                    operation.Description = string.IsNullOrEmpty(operation.Description) ? operation.Summary : operation.Summary + "\n\n" + operation.Description;
                }

                operation.Summary = System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z0-9])(?=[A-Z])", " ").ToLowerInvariant() is var words
                    ? char.ToUpperInvariant(words[0]) + words[1..]
                    : name;
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.RelativePath?.Contains("{apiVersion}", StringComparison.Ordinal) != true)
                {
                    return Task.CompletedTask;
                }

                operation.Parameters ??= [];
                operation.Parameters.Insert(0, new OpenApiParameter
                {
                    Name = "apiVersion", In = ParameterLocation.Path, Required = true,
                    Description = "API release; `v1` and `beta` mean 2025-03.",
                    // The latest first and as the default: the examples a reader copies use it.
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Enum = [.. ApiVersion.All.Reverse().Select(v => (JsonNode)JsonValue.Create(v.Name)!), JsonValue.Create("v1")!, JsonValue.Create("beta")!],
                        Default = JsonValue.Create(ApiVersion.All[^1].Name),
                    },
                    Example = JsonValue.Create(ApiVersion.All[^1].Name),
                });
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] });
                return Task.CompletedTask;
            });
        });
}
