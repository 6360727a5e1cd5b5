using System.ComponentModel;
using System.Security.Claims;
using MediaLibrary.Api;

namespace MediaLibrary.Clients;

/// (ours) `GET /api/{v}/me`, from 2026-07: which client the token belongs to and what it may do,
/// so a UI can hide the write controls from a read-only token instead of letting them fail.
internal static class MeEndpoint
{
    public sealed record MeResponse(
        [property: Description("The API client's name, as given to `token create`.")] string Name,
        [property: Description("The token's scopes, e.g. `public-api:read`, `public-api:write`, `public-api:erase`.")] IReadOnlyList<string> Scopes);

    public static VersionedApi MapMe(this VersionedApi api)
    {
        api.AnyToken.MapGet("/me", Me).WithName("GetMe").WithTags("Clients")
            .WithSummary("From 2026-07 (ours): the API client the token belongs to, and its scopes.")
            .Produces<MeResponse>();
        return api;
    }

    private static IResult Me(ApiVersion apiVersion, ClaimsPrincipal user)
    {
        if (apiVersion < ApiVersion.V2026_07)
        {
            return ApiErrors.RouteNotFound("/api/:apiVersion/me");
        }

        var scopes = user.FindAll(BearerAuthenticationHandler.ScopeClaim).Select(c => c.Value).Order(StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new MeResponse(user.Identity?.Name ?? "", scopes));
    }
}
