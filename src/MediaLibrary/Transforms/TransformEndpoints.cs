using System.Globalization;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Transforms;

internal static class TransformEndpoints
{
    public const long MaxExpiresIn = 366L * 24 * 3600;

    public static VersionedApi MapTransforms(this VersionedApi api)
    {
        api.Read.MapGet("/mediaLibrary/{id}/signedUrl", SignedUrlAsync).WithName("GetSignedUrl").WithTags("Assets")
            .WithSummary("(ours) A signed serve-image URL of the entry's image, with optional imgix-style parameters and an expiry (`expiresIn` seconds).");
        return api;
    }

    public sealed record SignedUrl(string Url);

    public static async Task<IResult> SignedUrlAsync(
        string id, HttpContext context, string? expiresIn, EntryStore entries, MediaTypeCatalog types, UrlSigner signer, AssetUrls urls, TimeProvider time, CancellationToken ct)
    {
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

internal static class TransformsSetup
{
    public static WebApplicationBuilder AddTransforms(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TransformOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Transforms");
        builder.Services.AddSingleton<UrlSigner>();
        builder.Services.AddSingleton<ImageRenderer>();
        builder.Services.AddSingleton<VariantCache>();
        builder.Services.AddHostedService(services => services.GetRequiredService<VariantCache>());
        return builder;
    }
}
