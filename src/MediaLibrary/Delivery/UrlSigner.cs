using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Delivery;

internal enum SignatureCheck
{
    NotSigned,
    Valid,
    Expired,
    Invalid,
}

/// Signed serve-image URLs (SPEC §11): `s` is the lowercase hex HMAC-SHA256, keyed with a signing
/// key's secret, of the request path as sent followed, when there are other query parameters,
/// by `?` and those parameters (all but `s`, `expires` included) sorted by name, joined as
/// `name=value` with `&`, values as sent. The first configured key signs; every configured key
/// verifies, so a key can be added, made first, and the old one removed later.
internal sealed class UrlSigner
{
    private readonly List<(string Id, byte[] Secret)> _keys;
    private readonly TimeProvider _time;

    public UrlSigner(IOptions<MediaLibraryOptions> options, TimeProvider time)
    {
        _time = time;
        _keys = [];
        for (var i = 0; i < options.Value.Delivery.SigningKeys.Count; i++)
        {
            var key = options.Value.Delivery.SigningKeys[i];
            if (string.IsNullOrWhiteSpace(key.Id) || key.Secret.Length < 16)
            {
                throw new StartupException(
                    $"MediaLibrary__Delivery__SigningKeys__{i}: needs an Id and a Secret of at least 16 characters.");
            }

            _keys.Add((key.Id, Encoding.UTF8.GetBytes(key.Secret)));
        }
    }

    public bool Enabled => _keys.Count > 0;

    /// `path` (as it will be sent, percent-encoded) with `query` (name, value as sent) and the signature.
    public string Sign(string path, IEnumerable<(string Name, string Value)> query)
    {
        var parameters = query.Select(p => $"{p.Name}={p.Value}").ToList();
        var canonical = Canonical(path, parameters);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(_keys[0].Secret, Encoding.UTF8.GetBytes(canonical)));
        parameters.Add($"s={signature}");
        return path + "?" + string.Join("&", parameters);
    }

    public SignatureCheck Verify(HttpContext context)
    {
        // The target as sent (percent-encoding kept); hosts that do not give it get the path re-encoded.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var target = string.IsNullOrEmpty(raw) || raw[0] != '/'
            ? context.Request.PathBase.Add(context.Request.Path).ToUriComponent() + context.Request.QueryString.ToUriComponent()
            : raw;
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var parameters = question < 0 ? [] : target[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries).ToList();
        var given = parameters.Where(p => p.StartsWith("s=", StringComparison.Ordinal)).ToList();
        if (given.Count == 0)
        {
            return SignatureCheck.NotSigned;
        }

        parameters.RemoveAll(p => p.StartsWith("s=", StringComparison.Ordinal));
        if (given.Count > 1 || given[0].Length != 2 + 64 || !given[0].AsSpan(2).ContainsOnlyHexLowercase())
        {
            return SignatureCheck.Invalid;
        }

        var signature = Convert.FromHexString(given[0].AsSpan(2));
        var canonical = Encoding.UTF8.GetBytes(Canonical(path, parameters));
        var valid = false;
        foreach (var (_, secret) in _keys)
        {
            // Every key is tried, so the time taken does not tell which one matched.
            valid |= CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, canonical), signature);
        }

        if (!valid)
        {
            return SignatureCheck.Invalid;
        }

        var expires = parameters.Where(p => p.StartsWith("expires=", StringComparison.Ordinal)).ToList();
        if (expires.Count == 0)
        {
            return SignatureCheck.Valid;
        }

        return expires.Count == 1 && long.TryParse(expires[0].AsSpan(8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at) &&
               _time.GetUtcNow().ToUnixTimeSeconds() <= at
            ? SignatureCheck.Valid
            : SignatureCheck.Expired;
    }

    private static string Canonical(string path, List<string> parameters) =>
        parameters.Count == 0
            ? path
            : path + "?" + string.Join("&", parameters.OrderBy(p => p.Split('=')[0], StringComparer.Ordinal).ThenBy(p => p, StringComparer.Ordinal));
}

internal static class SpanHex
{
    public static bool ContainsOnlyHexLowercase(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
