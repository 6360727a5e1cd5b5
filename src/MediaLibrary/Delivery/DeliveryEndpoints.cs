using System.Globalization;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;

namespace MediaLibrary.Delivery;

internal static class DeliveryEndpoints
{
    public const long MaxExpiresIn = 366L * 24 * 3600;

    public static VersionedApi MapDelivery(this VersionedApi api)
    {
        // Authorised in the handler: a bearer token with the read scope, or a signed URL (SPEC §11).
        api.Read.MapMethods("/mediaLibrary/serve-image/{**key}", ["GET", "HEAD"], ServeImageAsync)
            .WithName("ServeImage").WithTags("Assets").AllowAnonymous()
            .WithSummary("The original bytes of an image entry's key, or a variant with imgix-style parameters.")
            .WithDescription("Without parameters: the original. `w`, `h` (1–8192), `fit` (clip, max, crop), `rect` (x,y,w,h), `fm` (jpg, png, webp, avif), " +
                "`auto=format` (AVIF or WebP by Accept), `q` (1–100), `dpr` (1–4): a rendered variant (SPEC §11). A bearer token with the read scope, " +
                "or with signing keys configured a signed URL (`s`, optional `expires`).");
        api.Read.MapGet("/mediaLibrary/{id}/signedUrl", SignedUrlAsync).WithName("GetSignedUrl").WithTags("Assets")
            .WithSummary("(ours) A signed serve-image URL of the entry's image, with optional imgix-style parameters and an expiry (`expiresIn` seconds).");
        return api;
    }

    public sealed record SignedUrl(string Url);

    public static Task ServeImageAsync(HttpContext context, string key, ServeImage serve, CancellationToken ct) =>
        serve.ServeAsync(context, key, ct);

    /// What the signed-URL handler needs, bound by ASP.NET Core from DI (eShop's `[AsParameters]` services pattern).
    public sealed record SignedUrlServices(EntryStore Entries, MediaTypeCatalog Types, UrlSigner Signer, AssetUrls Urls, TimeProvider Time);

    public static async Task<IResult> SignedUrlAsync(
        string id, HttpContext context, string? expiresIn, [AsParameters] SignedUrlServices services, CancellationToken ct)
    {
        var (entries, types, signer, urls, time) = services;
        var (_, errors) = TransformSpec.Parse(context.Request.Query);
        long? seconds = null;
        if (expiresIn is not null)
        {
            if (long.TryParse(expiresIn, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxExpiresIn)
            {
                seconds = value;
            }
            else
            {
                errors["expiresIn"] = $"must be a whole number of seconds from 1 to {MaxExpiresIn}";
            }
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Validation(errors);
        }

        if (!signer.Enabled)
        {
            return ApiErrors.Result(StatusCodes.Status409Conflict, new
            {
                name = "Conflict", message = "Signed URLs need signing keys: set MediaLibrary__Delivery__SigningKeys__0__Id and __Secret.",
            });
        }

        var row = id.Length <= 64 ? await entries.GetAsync(id, ct, withReferenceCounts: false) : null;
        if (row is null)
        {
            return ApiErrors.EntryNotFound(id);
        }

        if (types.Find(row.MediaType)?.Kind != AssetKind.Image)
        {
            return ApiErrors.Result(StatusCodes.Status409Conflict, new { name = "Conflict", message = $"The entry is a {row.MediaType}, not an image: serve-image does not deliver it." });
        }

        var key = JsonNode.Parse(row.Asset)!["key"]!.GetValue<string>();
        var query = context.Request.Query
            .Where(p => TransformSpec.Names.Contains(p.Key))
            .Select(p => (p.Key, Uri.EscapeDataString(p.Value.ToString())))
            .ToList();
        if (seconds is { } s)
        {
            query.Add(("expires", time.GetUtcNow().AddSeconds(s).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        return TypedResults.Ok(new SignedUrl(urls.Signed(key, query)));
    }
}

internal static class DeliverySetup
{
    public static WebApplicationBuilder AddDelivery(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AssetUrls>();
        builder.Services.AddSingleton<IAssetUrls>(services => services.GetRequiredService<AssetUrls>());
        builder.Services.AddSingleton<ServeImage>();
        builder.Services.AddSingleton<IKeyUses>(services => services.GetRequiredService<Database>().Provider == DatabaseProvider.Sqlite
            ? new SqliteKeyUses(services.GetRequiredService<Database>())
            : new PostgresKeyUses(services.GetRequiredService<Database>()));
        builder.Services.AddOptions<TransformOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Transforms");
        builder.Services.AddSingleton<UrlSigner>();
        builder.Services.AddSingleton<ImageRenderer>();
        builder.Services.AddSingleton<VariantCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VariantCache>());
        return builder;
    }
}
