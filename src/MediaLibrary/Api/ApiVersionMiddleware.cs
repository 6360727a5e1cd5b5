using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Api;

/// Marks endpoints under `/api/{apiVersion}`.
internal sealed class VersionedApiMetadata;

/// Runs after authorization (SPEC §1: auth is checked before anything else) and before model
/// binding, so an unknown or retired version never reaches a handler.
internal sealed class ApiVersionMiddleware(RequestDelegate next, IOptions<MediaLibraryOptions> options)
{
    private readonly HashSet<string> _retired = options.Value.RetiredVersions();

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<VersionedApiMetadata>() is null)
        {
            return next(context);
        }

        var raw = context.Request.RouteValues["apiVersion"] as string;
        if (!ApiVersion.TryParse(raw, out var version))
        {
            return ApiErrors.Write(context, StatusCodes.Status404NotFound,
                new { name = "NotFound", message = $"Unknown API version '{raw}'." });
        }

        if (_retired.Contains(version.Name))
        {
            return ApiErrors.Write(context, StatusCodes.Status410Gone,
                new { name = "Gone", message = $"API version '{raw}' is retired." });
        }

        context.Features.Set(version);
        return next(context);
    }
}
