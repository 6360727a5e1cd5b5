using System.Security.Claims;
using System.Text.Encodings.Web;
using MediaLibrary.Clients;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Api;

/// `Authorization: Bearer <token>` → the API client's claims; 401/403 answers carry the SPEC §1 envelope.
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiClients clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ScopeClaim = "scope";
    private const string FailureKey = "auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrWhiteSpace(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Failure("The access token is invalid.");
        }

        var (result, client) = await clients.VerifyAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        switch (result)
        {
            case TokenCheck.Expired:
                return Failure("The access token expired.");
            case TokenCheck.Invalid:
                return Failure("The access token is invalid.");
        }

        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, client!.Id), new(ClaimTypes.Name, client.Name) };
        claims.AddRange(client.ScopeList.Select(scope => new Claim(ScopeClaim, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private AuthenticateResult Failure(string message)
    {
        Context.Items[FailureKey] = message;
        return AuthenticateResult.Fail(message);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureKey] as string ?? "The access token is missing.";
        Response.Headers.WWWAuthenticate = "Bearer";
        return ApiErrors.Write(Context, StatusCodes.Status401Unauthorized, new Dictionary<string, string> { ["access_token"] = message });
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrors.Write(Context, StatusCodes.Status403Forbidden,
            new Dictionary<string, string> { ["access_token"] = "The request requires higher privileges" });
}

internal static class AuthExtensions
{
    public static IServiceCollection AddBearerAuth(this IServiceCollection services)
    {
        services.AddAuthentication(BearerAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(BearerAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Read, policy => policy.RequireClaim(BearerAuthenticationHandler.ScopeClaim, Scopes.Read))
            .AddPolicy(Scopes.Write, policy => policy.RequireClaim(BearerAuthenticationHandler.ScopeClaim, Scopes.Write));
        return services;
    }
}
