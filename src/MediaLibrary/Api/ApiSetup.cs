using MediaLibrary.Clients;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace MediaLibrary.Api;

internal static class ApiSetup
{
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => AppJson.Configure(o.SerializerOptions));
        builder.Services.AddBearerAuth();
        builder.Services.AddSingleton<JsonBody>();
        builder.Services.AddClientRateLimiting();
        builder.Services.AddApiDocument();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<MediaLibraryOptions>>((kestrel, options) =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = options.Value.MaxJsonBodyBytes;
                kestrel.Limits.MaxRequestHeadersTotalSize = options.Value.Limits.MaxHeaderBytes * 2;
                kestrel.Limits.MaxRequestLineSize = RequestLimitsMiddleware.MaxUrlBytes * 2;
                // Large originals: let a response run ahead of the socket instead of pausing every 64 KB.
                kestrel.Limits.MaxResponseBufferSize = 1024 * 1024;
            });
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseMiddleware<RequestLimitsMiddleware>();
        app.UseStatusCodeEnvelope();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<InputTextMiddleware>();
        // Off by default: then the limiter is not in the pipeline at all (it costs every request).
        if (app.Services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value.RateLimit.Enabled)
        {
            app.UseRateLimiter();
        }

        app.UseMiddleware<ApiVersionMiddleware>();
        return app;
    }

    /// `/api/{apiVersion}`: features map their routes on the returned groups.
    public static VersionedApi MapVersionedApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/{apiVersion}").WithMetadata(new VersionedApiMetadata());
        return new VersionedApi(api.MapGroup("").RequireAuthorization(Scopes.Read), api.MapGroup("").RequireAuthorization(Scopes.Write),
            api.MapGroup("").RequireAuthorization());
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Nothing from other hosts (no CDN fonts, no telemetry) and no hosted extras (AI agent,
        // MCP, the developer toolbar with its SDK and deploy offers): the reference works offline.
        app.MapScalarApiReference("/docs", o => o.WithTitle("MediaLibrary API")
            .DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools()).AllowAnonymous();
        return app;
    }
}

/// Route groups by required scope (SPEC §1: write does not imply read).
/// `AnyToken`: routes any valid token may call, whatever its scopes (`GET /me`).
internal sealed record VersionedApi(RouteGroupBuilder Read, RouteGroupBuilder Write, RouteGroupBuilder AnyToken);
