using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Api;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MediaLibrary.Hosting;

/// `MediaLibrary:Metrics` (SPEC §18).
public sealed class MetricsOptions
{
    /// Serve `/metrics` (Prometheus text format).
    public bool Enabled { get; set; } = true;

    /// When set, a scrape needs `Authorization: Bearer <this>` (Prometheus' `authorization` setting).
    public string? Token { get; set; }
}

/// The service's own meter and activity source, and what it measures (SPEC §18). Labels carry
/// route templates, outcomes, kinds and webhook handles: never ids, keys, URLs or tokens.
internal static class Telemetry
{
    public const string Name = "MediaLibrary";

    public static readonly Meter Meter = new(Name);
    public static readonly ActivitySource Source = new(Name);

    public static readonly Counter<long> Renders =
        Meter.CreateCounter<long>("medialibrary.variants.renders", description: "Variants rendered by this process (each also a cache miss).");
    public static readonly Histogram<double> RenderDuration =
        Meter.CreateHistogram<double>("medialibrary.variants.render.duration", unit: "s", description: "Time to render a variant, source read included.");
    public static readonly Counter<long> VariantLookups =
        Meter.CreateCounter<long>("medialibrary.variants.lookups", description: "Variant requests by result: memory, store (rendered before) or render.");
    public static readonly Counter<long> RenderedBytes =
        Meter.CreateCounter<long>("medialibrary.variants.rendered.bytes", unit: "By", description: "Bytes of variants rendered by this process and written to the store.");
    public static readonly Counter<long> VariantEvictions =
        Meter.CreateCounter<long>("medialibrary.variants.evictions", description: "Variants evicted from the cache by the size cap.");
    public static readonly Counter<long> Deletions =
        Meter.CreateCounter<long>("medialibrary.lifecycle.deletions", description: "Entries deleted, by kind: delete, erase (forced) or routine.");
    public static readonly Counter<long> BlobsErased =
        Meter.CreateCounter<long>("medialibrary.lifecycle.blobs.erased", description: "Blobs and variants removed from the store after deletes.");
    public static readonly Counter<long> OrphansSwept =
        Meter.CreateCounter<long>("medialibrary.lifecycle.orphans.swept", description: "Orphan uploads removed.");
    public static readonly Counter<long> WebhookDeliveries =
        Meter.CreateCounter<long>("medialibrary.webhooks.deliveries", description: "Webhook deliveries by webhook handle and outcome (sent, failed).");
    public static readonly Counter<long> ImportItems =
        Meter.CreateCounter<long>("medialibrary.imports.items", description: "Import-by-URL items by outcome (success, skipped, failed).");

    public static readonly Histogram<double> WriteTurnWait =
        Meter.CreateHistogram<double>("medialibrary.sqlite.write.wait", unit: "s",
            description: "SQLite: how long a write waited for this process's one writer (its turn); long waits mean writes queue.");
    public static readonly Counter<long> RoutineRuns =
        Meter.CreateCounter<long>("medialibrary.lifecycle.routine.runs", description: "Deletion routine runs by this process, by outcome (ok, failed).");
    public static readonly Counter<long> OrphanBytesSwept =
        Meter.CreateCounter<long>("medialibrary.lifecycle.orphans.swept.bytes", unit: "By", description: "Bytes of orphan uploads removed (as recorded at upload).");
    public static readonly Counter<long> StoredBytes =
        Meter.CreateCounter<long>("medialibrary.assets.stored.bytes", unit: "By", description: "Bytes written to the asset store by uploads and fetched sources (variants not counted).");

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Metrics");
        var metrics = builder.Configuration.GetSection($"{MediaLibraryOptions.Section}:Metrics").Get<MetricsOptions>() ?? new MetricsOptions();
        // The standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, …) turn traces on.
        var traces = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!metrics.Enabled && !traces)
        {
            return builder;
        }

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("medialibrary"));
        if (metrics.Enabled)
        {
            builder.Services.AddHostedService<TelemetrySampler>();
            // Of ASP.NET Core's meters only Hosting's (http.server.request.duration, active
            // requests): routing's, Kestrel's and the others record on every request or
            // connection too, and no documented series needs them.
            otel.WithMetrics(m => m
                .AddMeter(Name, "Npgsql", "Microsoft.AspNetCore.Hosting")
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        }

        if (traces)
        {
            otel.WithTracing(t => t
                .AddSource(Name)
                .AddNpgsql()
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return builder;
    }

    /// GET /metrics when enabled; with a token configured, only for that bearer token.
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var expected = string.IsNullOrEmpty(options.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + options.Token));
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (expected is not null &&
                !CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()))))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiErrors.Write(context, StatusCodes.Status401Unauthorized, new { message = "Scraping /metrics needs the metrics token (MediaLibrary__Metrics__Token) as a bearer token." });
                return;
            }

            await next(context);
        }), optionsName: null).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}

/// The gauges that need a query (SPEC §18): read every 10 s by one background pass, never per
/// scrape. Each query is an index lookup or a small table's scan.
internal sealed class TelemetrySampler : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private readonly Storage.Database _database;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetrySampler> _logger;
    // Counting entries reads an index of the whole table: once a minute, not every pass.
    private static readonly TimeSpan EntriesEvery = TimeSpan.FromMinutes(1);
    private volatile Snapshot _last = new(0, 0, 0, null, [], 0);
    private volatile EntryCounts? _entries;
    private DateTimeOffset _nextEntries;

    private sealed record Stream(string Webhook, long Lag, DateTimeOffset? Oldest);

    private sealed record Snapshot(long Newest, long Unsequenced, long RetryBacklog, DateTimeOffset? OldestRetry, IReadOnlyList<Stream> Streams, long JobsRunning);

    private sealed record EntryCounts(long All, long Revoked, long Archived);

    public TelemetrySampler(Storage.Database database, TimeProvider time, ILogger<TelemetrySampler> logger, Delivery.VariantCache variants)
    {
        (_database, _time, _logger) = (database, time, logger);
        var m = Telemetry.Meter;
        m.CreateObservableGauge("medialibrary.events.newest", () => _last.Newest, description: "The newest event's id (position) in the feed.");
        m.CreateObservableGauge("medialibrary.events.unsequenced", () => _last.Unsequenced,
            description: "Committed events not yet numbered by the sequencer (PostgreSQL; 0 on SQLite): its lag.");
        m.CreateObservableGauge("medialibrary.webhooks.retry.backlog", () => _last.RetryBacklog, description: "Webhook deliveries waiting for a retry.");
        m.CreateObservableGauge("medialibrary.webhooks.retry.oldest.age", () => Age(_last.OldestRetry), unit: "s",
            description: "Age of the oldest delivery waiting for a retry (0 when none).");
        m.CreateObservableGauge("medialibrary.webhooks.stream.lag", () => _last.Streams.Select(s => new Measurement<long>(s.Lag, new KeyValuePair<string, object?>("webhook", s.Webhook))),
            description: "Events each webhook's stream has not delivered yet.");
        m.CreateObservableGauge("medialibrary.webhooks.stream.oldest.age", () => _last.Streams.Select(s => new Measurement<double>(Age(s.Oldest), new KeyValuePair<string, object?>("webhook", s.Webhook))),
            unit: "s", description: "Age of the oldest event a webhook's stream has not delivered (0 when none).");
        m.CreateObservableGauge("medialibrary.variants.memory.bytes", () => variants.MemoryBytes, unit: "By",
            description: "Bytes of small variants held in this process's memory (at most MemoryCacheBytes).");
        m.CreateObservableGauge("medialibrary.imports.jobs.running", () => _last.JobsRunning, description: "Import-by-URL jobs not finished yet.");
        m.CreateObservableGauge<long>("medialibrary.entries", () => _entries is { } e
                ? (Measurement<long>[])[new Measurement<long>(e.All, new KeyValuePair<string, object?>("state", "all")),
                   new Measurement<long>(e.Revoked, new KeyValuePair<string, object?>("state", "revoked")),
                   new Measurement<long>(e.Archived, new KeyValuePair<string, object?>("state", "archived"))]
                : [],
            description: "Media entries: all of them, and those revoked and archived (counted once a minute).");
    }

    private double Age(DateTimeOffset? at) => at is { } value ? Math.Max(0, (_time.GetUtcNow() - value).TotalSeconds) : 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _last = await SampleAsync(stoppingToken);
                if (_time.GetUtcNow() >= _nextEntries)
                {
                    _nextEntries = _time.GetUtcNow() + EntriesEvery;
                    _entries = await CountEntriesAsync(stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogWarning(e, "Sampling the metrics' gauges failed; trying again");
            }

            try
            {
                await Task.Delay(Every, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Snapshot> SampleAsync(CancellationToken ct)
    {
        await using var session = await _database.OpenSessionAsync(cancellationToken: ct);
        var newest = (await session.QueryAsync<long>("SELECT COALESCE(MAX(position), 0) FROM events", ct))[0];
        var unsequenced = (await session.QueryAsync<long>("SELECT COUNT(*) FROM events WHERE position IS NULL", ct))[0];
        var (backlog, oldest) = (await session.QueryAsync(
            "SELECT COUNT(*), MIN(created_at) FROM webhook_deliveries WHERE state = 'pending'",
            r => (Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.IsDBNull(1) ? (DateTimeOffset?)null : Entries.EntryRow.Timestamp(r, 1)), ct))[0];
        var streams = await session.QueryAsync(
            """
            SELECT s.webhook, @newest - s.position,
                   (SELECT e.created_at FROM events e WHERE e.position > s.position ORDER BY e.position LIMIT 1)
            FROM webhook_streams s ORDER BY s.webhook
            """,
            r => new Stream(r.GetString(0), Math.Max(0, Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)),
                r.IsDBNull(2) ? null : Entries.EntryRow.Timestamp(r, 2)), ct, ("newest", newest));
        var running = (await session.QueryAsync<long>("SELECT COUNT(*) FROM import_jobs WHERE finished_at IS NULL", ct))[0];
        return new Snapshot(newest, unsequenced, backlog, oldest, streams, running);
    }

    private async Task<EntryCounts> CountEntriesAsync(CancellationToken ct)
    {
        await using var session = await _database.OpenSessionAsync(cancellationToken: ct);
        var yes = _database.Dialect.IsPostgres ? "true" : "1";
        var all = (await session.QueryAsync<long>("SELECT COUNT(*) FROM media_entries", ct))[0];
        var revoked = (await session.QueryAsync<long>($"SELECT COUNT(*) FROM media_entries WHERE revoked = {yes}", ct))[0];
        var archived = (await session.QueryAsync<long>($"SELECT COUNT(*) FROM media_entries WHERE archived = {yes}", ct))[0];
        return new EntryCounts(all, revoked, archived);
    }
}
