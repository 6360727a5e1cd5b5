using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
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

        bool Mine(WebhookReceiver.Received r) => ids.Contains(JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!);
        await app.Receiver.WaitForAsync(r => r.Where(Mine).Select(x => x.DeliveryId).Distinct().Count() == 2000, TimeSpan.FromSeconds(60));
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
