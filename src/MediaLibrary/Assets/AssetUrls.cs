using MediaLibrary.Api;
using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Assets;

/// `url` = MediaLibrary__PublicBaseUrl + key; without it, this server's serve-image URL.
internal sealed class AssetUrls(IOptions<MediaLibraryOptions> options, IHttpContextAccessor http)
{
    public string For(string key)
    {
        var configured = options.Value.PublicBaseUrl;
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.TrimEnd('/') + "/" + key;
        }

        var request = http.HttpContext?.Request;
        var origin = request is null ? HostingExtensions.DefaultUrl : $"{request.Scheme}://{request.Host}";
        var version = http.HttpContext?.Features.Get<ApiVersion>() ?? ApiVersion.Latest;
        return $"{origin}/api/{version}/mediaLibrary/serve-image/{key}";
    }
}
