using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MediaLibrary.Tests.Infrastructure;

/// A real HTTP server on a loopback address that plays an archive for imports by URL: each path
/// answers with a file, a status, a redirect or after a delay; it counts the requests per path.
public sealed class SourceServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Answer(int Status = 200, byte[]? Body = null, string? Location = null, TimeSpan Delay = default);

    private readonly ConcurrentDictionary<string, Func<Answer>> _routes = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> Hits { get; } = new(StringComparer.Ordinal);

    private int _inFlight;

    /// The most requests this server has had in progress at once.
    public int MaxInFlight { get; private set; }

    public void ResetMaxInFlight() => MaxInFlight = 0;

    /// Every path not set up answers this (null: 404).
    public Func<string, Answer?> Fallback { get; set; } = _ => null;

    private SourceServer(WebApplication app) => _app = app;

    public string Url(string path) =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path;

    public void Serve(string path, byte[] body, TimeSpan delay = default) => _routes[path] = () => new Answer(200, body, Delay: delay);

    public void Serve(string path, Func<Answer> answer) => _routes[path] = answer;

    public void Redirect(string path, string location) => _routes[path] = () => new Answer(302, Location: location);

    public int HitsOf(string path) => Hits.GetValueOrDefault(path);

    public static async Task<SourceServer> StartAsync(string address = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:0");
        var app = builder.Build();
        var server = new SourceServer(app);
        app.MapGet("/{**path}", async (HttpContext context) =>
        {
            var path = context.Request.Path.Value!;
            server.Hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            var inFlight = Interlocked.Increment(ref server._inFlight);
            lock (server._routes)
            {
                server.MaxInFlight = Math.Max(server.MaxInFlight, inFlight);
            }

            try
            {
                await server.AnswerAsync(context, path);
            }
            finally
            {
                Interlocked.Decrement(ref server._inFlight);
            }
        });
        await app.StartAsync();
        return server;
    }

    private async Task AnswerAsync(HttpContext context, string path)
    {
        var answer = _routes.TryGetValue(path, out var route) ? route() : Fallback(path);
        if (answer is null)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        if (answer.Body is not null)
        {
            context.Response.ContentLength = answer.Body.Length;
            await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// Listening sockets on 127.0.0.1 and [::1] at one port that only count who connects: proof that a
/// refused target was never connected to.
public sealed class ConnectionWatch : IDisposable
{
    private readonly List<TcpListener> _listeners = [];
    private int _accepted;

    public ConnectionWatch()
    {
        var v4 = new TcpListener(IPAddress.Loopback, 0);
        v4.Start();
        Port = ((IPEndPoint)v4.LocalEndpoint).Port;
        _listeners.Add(v4);
        var v6 = new TcpListener(IPAddress.IPv6Loopback, Port);
        v6.Start();
        _listeners.Add(v6);
        foreach (var listener in _listeners)
        {
            _ = AcceptAsync(listener);
        }
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Stop();
        }
    }
}

/// The service with import by URL set up for tests: private (loopback) sources allowed, short
/// timeouts and retries, and a receiver for completion webhooks.
public class ImportApp : TestApp
{
    public const string WebhookSecret = "import-callback-secret";

    public WebhookReceiver Receiver { get; private set; } = null!;

    public SourceServer Source { get; private set; } = null!;

    protected virtual bool AllowPrivateTargets => true;

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Source = await SourceServer.StartAsync();
        Overrides["MediaLibrary:Imports:AllowPrivateTargets"] = AllowPrivateTargets ? "true" : "false";
        Overrides["MediaLibrary:Imports:WebhookSecret"] = WebhookSecret;
        Overrides["MediaLibrary:Imports:ItemTimeoutSeconds"] = "3";
        Overrides["MediaLibrary:Imports:RetryBaseSeconds"] = "0.3";
        Overrides["MediaLibrary:Webhooks:RetryBaseSeconds"] = "0.2";
        Overrides["MediaLibrary:Imports:PollSeconds"] = "0.2";
        Overrides["MediaLibrary:Upload:MaxBytes"] = "300000";
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }

        if (Source is not null)
        {
            await Source.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
