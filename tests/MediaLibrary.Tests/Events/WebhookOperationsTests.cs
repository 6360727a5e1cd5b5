using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Events;

public sealed class WebhookCliTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    [Fact]
    public async Task List_deliveries_and_redeliver_work_from_the_command_line()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await app.Receiver.WaitForAsync(r => r.Any(x => JsonDocument.Parse(x.Body).RootElement.GetProperty("mediaId").GetString() == id), TimeSpan.FromSeconds(10));
        var first = app.Receiver.Requests.First(x => JsonDocument.Parse(x.Body).RootElement.GetProperty("mediaId").GetString() == id);

        // The receiver has the delivery; its success is recorded with others a moment later (the sender gathers them).
        var list = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "list");
        for (var i = 0; i < 50 && !Regex.IsMatch(list.Stdout, @"all\s+yes\s+http://127\.0\.0\.1:\d+/all\s+delivered \d+"); i++)
        {
            await Task.Delay(100);
            list = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "list");
        }

        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains("credit-only", list.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"all\s+yes\s+http://127\.0\.0\.1:\d+/all\s+delivered \d+", list.Stdout);

        var deliveries = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "deliveries", "--handle", "all");
        Assert.True(deliveries.ExitCode == 0, deliveries.Stderr);
        Assert.Contains(first.DeliveryId, deliveries.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(first.DeliveryId, (await ServiceProcess.RunAsync(app.Settings(), "webhooks", "deliveries", "--handle", "all", "--failed")).Stdout, StringComparison.Ordinal);

        var redeliver = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "redeliver", "--delivery", first.DeliveryId);
        Assert.True(redeliver.ExitCode == 0, redeliver.Stderr);
        await app.Receiver.WaitForAsync(r => r.Count(x => x.DeliveryId == first.DeliveryId) == 2, TimeSpan.FromSeconds(10));
        var again = app.Receiver.Requests.Where(x => x.DeliveryId == first.DeliveryId).ToList();
        Assert.Equal(2, again.Count);
        Assert.Equal(again[0].Body, again[1].Body);

        Assert.Equal(1, (await ServiceProcess.RunAsync(app.Settings(), "webhooks", "redeliver", "--delivery", "dlv_nope")).ExitCode);
    }
}

/// A webhook at `localhost` while private targets are refused (the default).
public sealed class PrivateTargetApp : TestApp
{
    public TcpListener Listener { get; } = new(IPAddress.Loopback, 0);

    public override async Task InitializeAsync()
    {
        Listener.Start();
        var port = ((IPEndPoint)Listener.LocalEndpoint).Port;
        Overrides["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteWithWebhooksAsync(DataDirectory,
            $$"""{"configurations": [{"handle": "inside", "url": "http://localhost:{{port}}/hook", "events": ["mediaLibraryEntry.create"]}]}""");
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        Listener.Stop();
        Listener.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class WebhookTargetTests(PrivateTargetApp app) : IClassFixture<PrivateTargetApp>
{
    [Fact]
    public async Task A_webhook_that_resolves_to_loopback_is_refused_without_opening_a_connection()
    {
        var client = await app.ReaderWriterAsync();
        await client.ImportImageAsync();

        var database = app.Services.GetRequiredService<Database>();
        string? error = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (error is null && DateTime.UtcNow < deadline)
        {
            await using var connection = await database.OpenAsync();
            error = await connection.ExecuteScalarAsync<string?>("SELECT last_error FROM webhook_deliveries WHERE webhook = 'inside'");
            await Task.Delay(100);
        }

        Assert.NotNull(error);
        Assert.Contains("loopback", error, StringComparison.Ordinal);
        Assert.False(app.Listener.Pending(), "a connection reached the refused address");
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/x")]
    [InlineData("http://[::1]:9/x")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://10.0.0.1/x")]
    public async Task A_webhook_at_a_private_address_stops_the_start_naming_it(string url)
    {
        var folder = Directory.CreateTempSubdirectory("medialibrary-hooks-").FullName;
        try
        {
            var path = await ProjectConfig.WriteWithWebhooksAsync(folder, $$"""{"configurations": [{"handle": "sneaky", "url": "{{url}}", "events": ["mediaLibraryEntry.revoke"]}]}""");
            var settings = new Dictionary<string, string?> { ["MediaLibrary:DataDirectory"] = folder, ["MediaLibrary:MediaTypesFile"] = path };

            var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");

            Assert.Equal(2, exit);
            Assert.Contains("webhook 'sneaky'", stderr, StringComparison.Ordinal);
            Assert.Contains("AllowPrivateTargets", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
