using System.Collections.Concurrent;
using System.Text;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Api;

/// An OTLP/HTTP receiver on loopback: keeps every body posted to /v1/traces (protobuf, whose
/// strings — span names, attribute values — are plain UTF-8 in it).
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentQueue<byte[]> Traces { get; } = new();

    public string Url { get; private set; } = "";

    private OtlpReceiver(WebApplication app) => _app = app;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Traces.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        // Port 0: the address the server actually bound.
        receiver.Url = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public string Text => string.Join("\n", Traces.Select(t => Encoding.UTF8.GetString(t)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// The service with traces exported over OTLP/HTTP to a receiver in the test process. The OTEL_*
/// settings go in as host settings: the service decides at start whether to trace.
public sealed class TracingApp : WebhookApp
{
    public OtlpReceiver Otlp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Otlp = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.AddSingleton<IStartupFilter, ThrowingStartupFilter>();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", Otlp.Url);
        builder.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        builder.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Otlp.DisposeAsync();
    }
}

public sealed class TracingTests(TracingApp app) : IClassFixture<TracingApp>
{
    [Fact]
    public async Task A_patch_and_a_webhook_delivery_reach_the_otlp_receiver_as_spans()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        (await client.PatchOpsAsync(id, SetMetadata("caption", "Traced"))).EnsureSuccessStatusCode();

        // The PATCH's server span by its route, the webhook's POST by its URL; on PostgreSQL the SQL.
        var hook = app.Receiver.Url("/all").AbsoluteUri;
        var text = await Waits.UntilAsync(() => Task.FromResult(app.Otlp.Text),
            t => t.Contains("/api/{apiVersion}/mediaLibrary/{id}", StringComparison.Ordinal) && t.Contains(hook, StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the PATCH's and the webhook's spans at the receiver", t => $"{t.Length} bytes");
        Assert.Contains("medialibrary", text, StringComparison.Ordinal);
        // The delivery is a span of ours with the outgoing POST inside it.
        await Waits.UntilAsync(() => Task.FromResult(app.Otlp.Text), t => t.Contains("webhook delivery", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the webhook delivery span");
        if (TestApp.UsePostgres)
        {
            Assert.Contains("media_entries", text, StringComparison.Ordinal);
            // The sequencer numbering the PATCH's event is a span; background loops' idle polls are not.
            text = await Waits.UntilAsync(() => Task.FromResult(app.Otlp.Text), t => t.Contains("number events", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "the sequencer's span");
            Assert.DoesNotContain("FROM blob_erasures WHERE next_attempt_at", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    [ServerErrorsExpected("the route throws on purpose")]
    public async Task A_500_envelope_names_the_trace_the_receiver_gets_and_the_log_line_carries_it()
    {
        var details = await (await app.CreateClient().GetAsync("/test/throw")).AssertEnvelopeAsync(System.Net.HttpStatusCode.InternalServerError);
        var traceId = details.GetProperty("traceId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        // OTLP carries a trace id as its 16 bytes.
        var bytes = Convert.FromHexString(traceId);
        await Waits.UntilAsync(() => Task.FromResult(app.Otlp.Traces.ToArray()), batches => batches.Any(b => b.AsSpan().IndexOf(bytes) >= 0),
            TimeSpan.FromSeconds(20), "the failed request's span at the receiver", b => $"{b.Length} batches");
        Assert.Contains(app.Logs, l => l.Contains("/test/throw", StringComparison.Ordinal) && l.Contains($"trace={traceId}", StringComparison.Ordinal));
    }
}
