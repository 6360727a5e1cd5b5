using MediaLibrary.Api;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Assets;

internal static class AssetEndpoints
{
    public static VersionedApi MapAssets(this VersionedApi api)
    {
        // No Accepts<>() here: it would make routing refuse other Content-Types, and the client's
        // Content-Type is ignored anyway (the type comes from the bytes). The body is documented only.
        api.Write.MapPost("/mediaLibrary/assets", UploadAsync)
            .WithName("UploadAsset").WithTags("Assets").AcceptsFileBody();
        // Authorised in the handler: a bearer token with the read scope, or a signed URL (SPEC §11).
        api.Read.MapMethods("/mediaLibrary/serve-image/{**key}", ["GET", "HEAD"], ServeImageAsync)
            .WithName("ServeImage").WithTags("Assets").AllowAnonymous()
            .WithSummary("The original bytes of an image entry's key, or a variant with imgix-style parameters.")
            .WithDescription("Without parameters: the original. `w`, `h` (1–8192), `fit` (clip, max, crop), `rect` (x,y,w,h), `fm` (jpg, png, webp, avif), " +
                "`auto=format` (AVIF or WebP by Accept), `q` (1–100), `dpr` (1–4): a rendered variant (SPEC §11). A bearer token with the read scope, " +
                "or with signing keys configured a signed URL (`s`, optional `expires`).");
        return api;
    }

    public static Task ServeImageAsync(HttpContext context, string key, ServeImage serve, CancellationToken ct) =>
        serve.ServeAsync(context, key, ct);

    public static Task<Results<Created<AssetUploadResponse>, JsonHttpResult<ErrorEnvelope>>> UploadAsync(
        HttpContext context, string? filename, AssetUploader uploader, CancellationToken ct) =>
        uploader.UploadAsync(context, filename, ct);
}

internal static class AssetsSetup
{
    public static WebApplicationBuilder AddAssets(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<AssetUrls>();
        builder.Services.AddSingleton<AssetUploader>();
        builder.Services.AddSingleton<ServeImage>();
        builder.Services.AddSingleton<IBlobStore>(services =>
        {
            var options = services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value;
            return options.Blobs.Provider.Equals("s3", StringComparison.OrdinalIgnoreCase)
                ? new S3BlobStore(options.Blobs.S3)
                : new FileSystemBlobStore(options.BlobRoot);
        });
        builder.Services.AddSingleton<TempSweeper>();
        builder.Services.AddHostedService(services => services.GetRequiredService<TempSweeper>());
        return builder;
    }
}
