using MediaLibrary.Assets;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Imports;

/// A fetched source in the spool file, or why not: `Transient` problems (no connection, 5xx, 429)
/// are worth another attempt later, the others are the item's final answer.
internal sealed record Fetched(Spooled? File, string? Problem = null, bool Transient = false)
{
    public static Fetched Fail(string problem, bool transient = false) => new(null, problem, transient);
}

/// Fetches an import's source into a spool file: http and https only, every address checked and
/// the connection pinned to a checked one (<see cref="TargetGuard"/>), each redirect checked again,
/// at most the upload size limit, the whole item within its time limit. Streams to disk: memory
/// stays flat whatever the file's size.
internal sealed class ImportFetcher : IDisposable
{
    private readonly HttpClient _http;
    private readonly ImportOptions _options;
    private readonly long _limit;

    public ImportFetcher(IOptions<ImportOptions> options, IOptions<MediaLibraryOptions> library)
    {
        _options = options.Value;
        _limit = library.Value.Upload.MaxBytes;
        var policy = TargetPolicy.Parse(_options.AllowPrivateTargets, _options.AllowedNetworks, "MediaLibrary:Imports:AllowedNetworks");
        _http = new HttpClient(TargetGuard.Handler(policy)) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("MediaLibrary-Import/1.0");
    }

    /// Why this URL is never fetched (scheme, shape), or null. `subject` and `use` word the
    /// reason: ("the url", "imported") for a source, ("it", "called") for a webhook.
    public static string? Problem(string url, out Uri? uri, string subject = "the url", string use = "imported")
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out uri))
        {
            return $"{subject} is not an absolute URL";
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            return $"only http and https URLs can be {use}, not {uri.Scheme}:";
        }

        return string.IsNullOrEmpty(uri.Host) ? $"{subject} has no host" : null;
    }

    public async Task<Fetched> FetchAsync(string url, string spool, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.ItemTimeoutSeconds));
        var current = url;
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                if (Problem(current, out var uri) is { } problem)
                {
                    return Fetched.Fail(redirects == 0 ? problem : $"redirected to {Redacted(current)}: {problem}");
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        return Fetched.Fail($"more than {_options.MaxRedirects} redirects");
                    }

                    current = new Uri(uri!, location).ToString();
                    continue;
                }

                if (status is >= 500 or 429)
                {
                    return Fetched.Fail($"the source answered {status}", transient: true);
                }

                if (status is < 200 or >= 300)
                {
                    return Fetched.Fail($"the source answered {status}");
                }

                if (response.Content.Headers.ContentLength > _limit)
                {
                    return Fetched.Fail(TooLarge(response.Content.Headers.ContentLength.Value));
                }

                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                var spooled = await SpooledAsset.CopyAsync(body, spool, _limit, timeout.Token);
                return spooled.Size > _limit ? Fetched.Fail(TooLarge(null)) : new Fetched(spooled);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fetched.Fail($"the source did not deliver within {_options.ItemTimeoutSeconds} s");
        }
        catch (HttpRequestException e) when (Refused(e) is { } refused)
        {
            return Fetched.Fail(current == url ? refused : $"redirected to {Redacted(current)}: {refused}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            return Fetched.Fail($"the source could not be read: {e.Message}", transient: true);
        }
    }

    /// The URL as logs and redirect reasons show it: no user info, no query (signed URLs carry secrets there).
    public static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}{(uri.Query.Length > 1 ? "?…" : "")}"
            : url.Length > 64 ? url[..64] + "…" : url;

    private string TooLarge(long? size) =>
        $"the file is larger than the upload limit of {_limit} bytes{(size is { } s ? $" ({s} bytes)" : "")}";

    private static string? Refused(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is TargetRefusedException)
            {
                return e.Message;
            }
        }

        return null;
    }

    public void Dispose() => _http.Dispose();
}
