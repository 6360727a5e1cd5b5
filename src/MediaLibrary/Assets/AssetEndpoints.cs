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
        return api;
    }

    public static Task<Results<Created<AssetUploadResponse>, JsonHttpResult<ErrorEnvelope>>> UploadAsync(
        HttpContext context, string? filename, AssetUploader uploader, CancellationToken ct) =>
        uploader.UploadAsync(context, filename, ct);
}

internal static class AssetsSetup
{
    public static WebApplicationBuilder AddAssets(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<AssetUploader>();
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
