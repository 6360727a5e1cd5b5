using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Api;

public static partial class Scrape
{
    /// Every sample line of a Prometheus text answer: its name, labels and value.
    public static List<(string Name, Dictionary<string, string> Labels, double Value)> Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        foreach (var line in text.Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
        {
            var match = Sample().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            samples.Add((match.Groups["name"].Value, labels,
                double.Parse(match.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    /// The sum of a family's samples whose labels include `labels`.
    public static double Sum(IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}

/// ASP.NET Core's meters (http_server_request_duration_seconds) belong to each host's IMeterFactory,
/// but OpenTelemetry listens by meter name across the process: every test host's provider shares
/// one stream per instrument, and when another test's host is disposed its meter ends that stream
/// for all of them. In production there is one host; here the test that reads those series runs
/// after the parallel ones, alone, so no host is disposed under it.
[CollectionDefinition(nameof(HostMetersCollection), DisableParallelization = true)]
public sealed class HostMetersCollection;

[Collection(nameof(HostMetersCollection))]
public sealed class MetricsTests(TestApp app) : IClassFixture<TestApp>
{
    private async Task<List<(string Name, Dictionary<string, string> Labels, double Value)>> ScrapeAsync()
    {
        var response = await app.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Scrape.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task After_traffic_the_families_are_there_and_the_counters_moved_and_no_label_names_an_entry_key_or_token()
    {
        var client = await app.ReaderWriterAsync();
        var before = await ScrapeAsync();
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var (id, key) = await Lifecycle.LifecycleCalls.ImportWithKeyAsync(client);
        (await client.GetAsync($"/api/2026-07/mediaLibrary/{id}")).EnsureSuccessStatusCode();
        (await client.PatchOpsAsync(id, SetMetadata("caption", "Counted"))).EnsureSuccessStatusCode();
        (await client.GetAsync($"/api/2026-07/mediaLibrary/serve-image/{key}?w=40&h={Random.Shared.Next(10, 999)}")).EnsureSuccessStatusCode();
        var doomed = await client.ImportImageAsync();
        (await client.DeleteAsync($"/api/2026-07/mediaLibrary/{doomed}")).EnsureSuccessStatusCode();

        // The server records a request's duration as the request ends, a moment after the client has its answer.
        (string, string)[] patches = [("http_route", "/api/{apiVersion}/mediaLibrary/{id}"), ("http_request_method", "PATCH")];
        var after = await Waits.UntilAsync(ScrapeAsync,
            a => Scrape.Sum(a, "http_server_request_duration_seconds_count", patches) > Scrape.Sum(before, "http_server_request_duration_seconds_count", patches),
            TimeSpan.FromSeconds(10), "the PATCH in http_server_request_duration_seconds",
            a => string.Join("; ", a.Where(x => x.Name == "http_server_request_duration_seconds_count").Select(x => $"{string.Join(",", x.Labels.Select(l => $"{l.Key}={l.Value}"))} {x.Value}")));

        Assert.True(Scrape.Sum(after, "medialibrary_variants_renders_total") > Scrape.Sum(before, "medialibrary_variants_renders_total"));
        Assert.True(Scrape.Sum(after, "medialibrary_variants_lookups_total", ("result", "render")) > Scrape.Sum(before, "medialibrary_variants_lookups_total", ("result", "render")));
        Assert.True(Scrape.Sum(after, "medialibrary_variants_render_duration_seconds_count") > 0);
        Assert.True(Scrape.Sum(after, "medialibrary_variants_rendered_bytes_total") > Scrape.Sum(before, "medialibrary_variants_rendered_bytes_total"));
        Assert.Contains(after, s => s.Name == "medialibrary_variants_memory_bytes");
        Assert.True(Scrape.Sum(after, "medialibrary_lifecycle_deletions_total", ("kind", "delete")) > Scrape.Sum(before, "medialibrary_lifecycle_deletions_total", ("kind", "delete")));
        foreach (var family in new[] { "medialibrary_events_newest", "medialibrary_events_unsequenced", "medialibrary_webhooks_retry_backlog", "medialibrary_webhooks_retry_oldest_age_seconds", "medialibrary_imports_jobs_running" })
        {
            Assert.Contains(after, s => s.Name == family);
        }

        // The upload's bytes went to the store; the entries are counted (once a minute, first at the start).
        Assert.True(Scrape.Sum(after, "medialibrary_assets_stored_bytes_total", ("source", "upload")) > Scrape.Sum(before, "medialibrary_assets_stored_bytes_total", ("source", "upload")));
        Assert.Contains(after, s => s.Name == "medialibrary_entries" && s.Labels.GetValueOrDefault("state") == "all");
        if (!TestApp.UsePostgres)
        {
            Assert.True(Scrape.Sum(after, "medialibrary_sqlite_write_wait_seconds_count") > Scrape.Sum(before, "medialibrary_sqlite_write_wait_seconds_count"));
        }

        Assert.Contains(after, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal) || s.Name.StartsWith("process_runtime_", StringComparison.Ordinal));
        if (TestApp.UsePostgres)
        {
            Assert.Contains(after, s => s.Name.StartsWith("db_client_", StringComparison.Ordinal));
        }

        var values = after.SelectMany(s => s.Labels.Values).ToList();
        foreach (var secret in new[] { id, doomed, key, token })
        {
            Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Scraping_needs_no_api_token_and_the_api_s_token_is_not_asked_for()
    {
        var response = await app.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
    }
}

public sealed class TokenMetricsApp : TestApp
{
    public const string Token = "scrape-secret-123";

    public TokenMetricsApp() => Overrides["MediaLibrary:Metrics:Token"] = Token;
}

[Collection(nameof(HostMetersCollection))]
public sealed class TokenMetricsTests(TokenMetricsApp app) : IClassFixture<TokenMetricsApp>
{
    [Fact]
    public async Task With_a_metrics_token_a_scrape_needs_it()
    {
        var anonymous = app.CreateClient();
        var missing = await anonymous.GetAsync("/metrics");
        var body = await missing.AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("MediaLibrary__Metrics__Token", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenMetricsApp.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        using var apiToken = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        apiToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read]));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(apiToken)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenMetricsApp.Token);
        var ok = await anonymous.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class NoMetricsApp : TestApp
{
    public NoMetricsApp() => Overrides["MediaLibrary:Metrics:Enabled"] = "false";
}

public sealed class NoMetricsTests(NoMetricsApp app) : IClassFixture<NoMetricsApp>
{
    [Fact]
    public async Task Turned_off_there_is_no_metrics_route() =>
        await (await app.CreateClient().GetAsync("/metrics")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
}

/// docs/grafana-dashboard.json uses only the series docs/operations.md documents.
public sealed class DashboardTests
{
    [Fact]
    public void The_dashboard_queries_only_series_the_operations_guide_names()
    {
        var docs = new DirectoryInfo(AppContext.BaseDirectory);
        while (docs is not null && !File.Exists(Path.Combine(docs.FullName, "docs", "operations.md")))
        {
            docs = docs.Parent;
        }

        Assert.NotNull(docs);
        var guide = File.ReadAllText(Path.Combine(docs.FullName, "docs", "operations.md"));
        var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(docs.FullName, "docs", "grafana-dashboard.json")));
        var series = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, @"\b(?:medialibrary|http_server)_[a-z_]+").Select(m => m.Value))
            .Select(n => System.Text.RegularExpressions.Regex.Replace(n, "_(bucket|count|sum)$", ""))
            .Distinct().ToList();
        Assert.True(series.Count >= 10, string.Join(", ", series));
        Assert.All(series, name => Assert.Contains($"`{name}`", guide, StringComparison.Ordinal));
    }
}
