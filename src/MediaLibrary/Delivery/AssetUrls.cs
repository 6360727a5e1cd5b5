using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Delivery;

/// `url` = MediaLibrary__PublicBaseUrl + key; without it, this server's serve-image URL, signed
/// when signing keys are configured (then a browser needs no token to show it).
internal sealed class AssetUrls(IOptions<MediaLibraryOptions> options, IHttpContextAccessor http, UrlSigner signer) : IAssetUrls
{
    public string For(string key)
    {
        var configured = options.Value.PublicBaseUrl;
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.TrimEnd('/') + "/" + key;
        }

        return signer.Enabled ? Signed(key, []) : Origin() + ServePath(key);
    }

    /// This server's serve-image URL of the key with `query` (values as they will be sent), signed.
    public string Signed(string key, IEnumerable<(string Name, string Value)> query) => Origin() + signer.Sign(ServePath(key), query);

    private string ServePath(string key)
    {
        var version = http.HttpContext?.Features.Get<ApiVersion>() ?? ApiVersion.Latest;
        return $"/api/{version}/mediaLibrary/serve-image/{key}";
    }

    private string Origin()
    {
        var request = http.HttpContext?.Request;
        return request is null ? HostingExtensions.DefaultUrl : $"{request.Scheme}://{request.Host}";
    }
}
