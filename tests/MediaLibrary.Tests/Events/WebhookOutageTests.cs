using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// Retries capped at 2 s apart, so a receiver that comes back is reached within seconds.
public sealed class OutageApp : WebhookApp
{
    public OutageApp() => Overrides["MediaLibrary:Webhooks:MaxRetryDelaySeconds"] = "2";
}

public sealed class WebhookOutageTests(OutageApp app) : IClassFixture<OutageApp>
{
    [Fact]
    public async Task A_receiver_down_for_thirty_seconds_gets_every_delivery_once_it_is_back()
    {
        var client = await app.ReaderWriterAsync();
        var delivered = new ConcurrentDictionary<string, int>();
        var down = true;
        app.Receiver.Answer = r =>
        {
            if (Volatile.Read(ref down))
            {
                return 503;
            }

            delivered.AddOrUpdate(r.DeliveryId, 1, (_, n) => n + 1);
            return 200;
        };

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await client.ImportImageAsync();
            await client.PatchOpsAsync(id, Op("revokeAsset", ("note", $"outage {i}")));
            ids.Add(id);
        }

        await Task.Delay(TimeSpan.FromSeconds(30));
        var attempted = app.Receiver.Requests.Where(r => ids.Contains(JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!))
            .Select(r => r.DeliveryId).ToHashSet();
        Assert.Equal(10, attempted.Count);
        Assert.Empty(delivered);

        Volatile.Write(ref down, false);
        await app.Receiver.WaitForAsync(_ => attempted.All(delivered.ContainsKey), TimeSpan.FromSeconds(15));

        Assert.All(attempted, id => Assert.True(delivered.ContainsKey(id), $"{id} never arrived"));
        // Successes are recorded in batches, a moment after they arrive.
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        var sql = $"SELECT state FROM webhook_deliveries WHERE id IN ({string.Join(",", attempted.Select(a => $"'{a}'"))})";
        var states = (await connection.QueryAsync<string>(sql)).ToList();
        for (var wait = 0; wait < 50 && states.Any(s => s != "delivered"); wait++)
        {
            await Task.Delay(100);
            states = (await connection.QueryAsync<string>(sql)).ToList();
        }

        Assert.Equal(10, states.Count);
        Assert.All(states, s => Assert.Equal("delivered", s));
    }
}

/// The API process killed (SIGKILL) while a delivery is in flight: after a restart it is sent.
/// Only real processes use this database, so nothing else could send it in between.
public sealed class WebhookCrashTests
{
    [Fact]
    public async Task A_process_killed_between_commit_and_delivery_delivers_after_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var db = await ProcessDatabase.CreateAsync("crash");
        var settings = db.Settings;
        settings["MediaLibrary:MediaTypesFile"] = await ProjectConfig.WriteWithWebhooksAsync(db.Folder,
            $$"""{"configurations": [{"handle": "crash", "url": "{{receiver.Url("/crash")}}", "events": ["mediaLibraryEntry.revoke"]}]}""");
        settings["MediaLibrary:Webhooks:AllowPrivateTargets"] = "true";
        settings["MediaLibrary:Webhooks:TimeoutSeconds"] = "3";
        var token = await db.TokenAsync();
        receiver.Delay = _ => TimeSpan.FromSeconds(60);
        string mediaId;
        await using (var doomed = await ServiceProcess.StartAsync(settings))
        {
            using var http = doomed.Client();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            mediaId = await http.ImportImageAsync();
            await http.PatchOpsAsync(mediaId, Op("revokeAsset"));
            await receiver.WaitForAsync(r => r.Count > 0, TimeSpan.FromSeconds(10));
            Assert.Single(receiver.Requests);
        }

        // Disposing kills the process tree (SIGKILL) with the POST still waiting for an answer.
        receiver.Delay = _ => TimeSpan.Zero;
        var deliveryId = receiver.Requests.Single().DeliveryId;
        await using var restarted = await ServiceProcess.StartAsync(settings);
        await receiver.WaitForAsync(r => r.Count >= 2, TimeSpan.FromSeconds(30));

        var again = receiver.Requests.Skip(1).First();
        Assert.Equal(deliveryId, again.DeliveryId);
        Assert.Equal(mediaId, JsonDocument.Parse(again.Body).RootElement.GetProperty("mediaId").GetString());
        Assert.Equal(receiver.Requests.First().Body, again.Body);
    }
}
