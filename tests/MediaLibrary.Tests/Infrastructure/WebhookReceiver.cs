using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaLibrary.Tests.Infrastructure;

/// A real HTTP server on loopback that records what webhooks send it. `Answer` decides the status
/// of each request (after `Delay`), so tests can make it fail, hang or recover.
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Received(string DeliveryId, string? Signature, string ContentType, byte[] Body, DateTimeOffset At);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public Func<Received, int> Answer { get; set; } = _ => 200;

    /// How long the receiver takes before it answers a request (it waits without holding a thread).
    public Func<Received, TimeSpan> Delay { get; set; } = _ => TimeSpan.Zero;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url(string path = "/hook") =>
        new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var received = new Received(context.Request.Headers["x-livingdocs-delivery"].ToString(),
                context.Request.Headers["x-livingdocs-signature"].FirstOrDefault(), context.Request.ContentType ?? "", buffer.ToArray(), DateTimeOffset.UtcNow);
            receiver.Requests.Enqueue(received);
            if (receiver.Delay(received) is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            context.Response.StatusCode = receiver.Answer(received);
        });
        await app.StartAsync();
        return receiver;
    }

    /// Waits until `done` holds for what arrived so far.
    public async Task WaitForAsync(Func<IReadOnlyCollection<Received>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done(Requests) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// Waits until `done` holds for what arrived so far, and fails naming `what` when it does not
    /// within `timeout`. Use it for a marker: a delivery caused after anything that must not arrive,
    /// so that what arrived by the time the marker did can be asserted on (see <see cref="Waits"/>).
    public Task WaitUntilAsync(Func<IReadOnlyCollection<Received>, bool> done, TimeSpan timeout, string what) =>
        Waits.UntilAsync(() => Task.FromResult<IReadOnlyCollection<Received>>(Requests), done, timeout, what, r => $"{r.Count} requests");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// A project config file: the shipped media types plus the given `webhooks` object.
public static class ProjectConfig
{
    public static Task<string> WriteWithWebhooksAsync(string folder, string webhooksJson) => WriteAsync(folder, ("webhooks", webhooksJson));

    /// The shipped media types plus the given top-level sections (`("usagePurposes", "[…]")`).
    public static async Task<string> WriteAsync(string folder, params (string Name, string Json)[] sections)
    {
        await using var shipped = typeof(MediaLibrary.MediaTypes.MediaTypeCatalog).Assembly.GetManifestResourceStream("default-media-types.json")!;
        var config = System.Text.Json.Nodes.JsonNode.Parse(shipped)!.AsObject();
        foreach (var (name, json) in sections)
        {
            config[name] = System.Text.Json.Nodes.JsonNode.Parse(json);
        }

        var path = Path.Combine(folder, "project.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        return path;
    }
}

/// The service with webhooks in its project config pointing at a local receiver.
public class WebhookApp : TestApp
{
    public const string Secret = "s3cr3t-for-tests";

    public WebhookReceiver Receiver { get; private set; } = null!;

    /// The `webhooks.configurations` array; `{url}` is replaced with the receiver's URL.
    protected virtual string Configurations => """
        [{"handle": "all", "url": "{url}/all", "secret": "s3cr3t-for-tests", "events": ["mediaLibraryEntry.create", "mediaLibraryEntry.update",
           "mediaLibraryEntry.archive", "mediaLibraryEntry.revoke", "mediaLibraryEntry.active", "mediaLibraryEntry.invalid", "document.publish", "document.unpublish"]},
         {"handle": "credit-only", "url": "{url}/credit", "events": [{"name": "mediaLibraryEntry.update", "conditions": {"mediaTypes": ["image"]},
           "changeFilter": {"metadataProperties": ["credit"]}}]}]
        """;

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Overrides["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteWithWebhooksAsync(DataDirectory,
            $$"""{"active": true, "configurations": {{Configurations.Replace("{url}", Receiver.Url("").ToString().TrimEnd('/'), StringComparison.Ordinal)}}}""");
        Overrides["MediaLibrary:Webhooks:AllowPrivateTargets"] = "true";
        Overrides["MediaLibrary:Webhooks:RetryBaseSeconds"] = "0.2";
        Overrides["MediaLibrary:Webhooks:TimeoutSeconds"] = "2";
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
