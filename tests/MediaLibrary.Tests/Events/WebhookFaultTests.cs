using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// Two webhooks at one receiver: `slow` at /slow (made to hang) and `fast` at /fast.
public sealed class TwoReceiversApp : WebhookApp
{
    protected override string Configurations => """
        [{"handle": "slow", "url": "{url}/slow", "events": ["mediaLibraryEntry.revoke"]},
         {"handle": "fast", "url": "{url}/fast", "events": ["mediaLibraryEntry.revoke"]}]
        """;
}

public sealed class WebhookFaultTests(TwoReceiversApp app) : IClassFixture<TwoReceiversApp>
{
    /// How far both webhooks' streams are written.
    private async Task<long> StreamsAtAsync()
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT MIN(position) FROM webhook_streams WHERE webhook IN ('slow', 'fast')");
    }

    private static string MediaId(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!;

    private static string Handle(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("webhookHandle").GetString()!;

    [Fact]
    public async Task A_receiver_that_hangs_times_out_and_never_delays_the_other_webhook()
    {
        var client = await app.ReaderWriterAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await client.ImportImageAsync());
        }

        // The slow webhook's requests hang far beyond the 2 s timeout of this app.
        var started = Stopwatch.StartNew();
        app.Receiver.Delay = r => Handle(r) == "slow" ? TimeSpan.FromSeconds(30) : TimeSpan.Zero;
        try
        {
            foreach (var id in ids)
            {
                await client.PatchOpsAsync(id, Op("revokeAsset"));
            }

            bool Mine(WebhookReceiver.Received r) => ids.Contains(JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!);
            await app.Receiver.WaitForAsync(r => r.Count(x => Mine(x) && Handle(x) == "fast") == 5, TimeSpan.FromSeconds(10));
            var fastDone = started.Elapsed;
            Assert.Equal(5, app.Receiver.Requests.Count(x => Mine(x) && Handle(x) == "fast"));
            Assert.True(fastDone < TimeSpan.FromSeconds(5), $"the fast webhook took {fastDone}");

            // The hanging attempts time out (2 s here, 10 s by default) and are tried again.
            await app.Receiver.WaitForAsync(r => r.Count(x => Mine(x) && Handle(x) == "slow") > 5, TimeSpan.FromSeconds(20));
            Assert.True(app.Receiver.Requests.Count(x => Mine(x) && Handle(x) == "slow") > 5, "no retry after the timeout");
        }
        finally
        {
            app.Receiver.Delay = _ => TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task Two_processes_and_a_thousand_revokes_deliver_each_delivery_id_once()
    {
        var client = await app.ReaderWriterAsync();
        var ids = new List<string>();
        var asset = await client.UploadImageAsync(40, 30);
        for (var batch = 0; batch < 10; batch++)
        {
            var entries = new JsonArray();
            for (var i = 0; i < 100; i++)
            {
                entries.Add(new JsonObject { ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = new JsonObject { ["title"] = $"bulk {batch}-{i}" } });
            }

            var results = (await client.ImportAsync(entries)).GetProperty("results");
            ids.AddRange(results.EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        }

        var settings = app.Settings();
        await using var first = await ServiceProcess.StartAsync(settings);
        await using var second = await ServiceProcess.StartAsync(settings);
        var token = await app.CreateTokenAsync(["public-api:read", "public-api:write"]);
        var clients = new[] { first.Client(), second.Client() };
        foreach (var c in clients)
        {
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        await Parallel.ForEachAsync(ids.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, ct) =>
        {
            var response = await clients[item.i % 2].PatchOpsAsync(item.id, Op("revokeAsset"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        });

        bool Mine(WebhookReceiver.Received r) => ids.Contains(MediaId(r));
        await app.Receiver.WaitUntilAsync(r => r.Where(Mine).Select(x => x.DeliveryId).Distinct().Count() == 2000, TimeSpan.FromSeconds(60),
            "every delivery of the thousand revokes");

        // The marker: one more revoke, made once all 2000 have arrived. Each webhook's stream starts
        // its sends in event order, whichever process holds it, so a second send of any of the 2000
        // arrives before the marker. And once both streams are written past the marker (after every
        // send up to it has finished), a process taking a stream over starts after it: nothing up to
        // the marker is sent again later.
        var marker = await client.ImportImageAsync();
        (await client.PatchOpsAsync(marker, Op("revokeAsset"))).EnsureSuccessStatusCode();
        await app.Receiver.WaitUntilAsync(r => r.Where(x => MediaId(x) == marker).Select(Handle).Distinct().Count() == 2, TimeSpan.FromSeconds(10),
            "the marker revoke at both webhooks");
        var markerEvent = JsonDocument.Parse(app.Receiver.Requests.First(x => MediaId(x) == marker).Body).RootElement.GetProperty("eventId").GetInt64();
        await Waits.UntilAsync(StreamsAtAsync, at => at >= markerEvent, TimeSpan.FromSeconds(10), $"both streams written past the marker (event {markerEvent})", at => $"{at}");
        var received = app.Receiver.Requests.Where(Mine).ToList();

        Assert.Equal(2000, received.Select(x => x.DeliveryId).Distinct().Count());
        Assert.Equal(2000, received.Count);
        Assert.Equal(1000, received.Where(x => Handle(x) == "fast").Select(x => JsonDocument.Parse(x.Body).RootElement.GetProperty("mediaId").GetString()).Distinct().Count());
        foreach (var c in clients)
        {
            c.Dispose();
        }
    }
}
