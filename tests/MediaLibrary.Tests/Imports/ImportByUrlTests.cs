using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Events;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Imports.ImportFlow;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Imports;

public sealed class ImportByUrlTests(ImportApp app) : IClassFixture<ImportApp>
{
    [Fact]
    public async Task Images_are_fetched_stored_and_reported_in_request_order_with_a_signed_completion_webhook()
    {
        var client = await app.ReaderWriterAsync();
        var jpeg = SampleFiles.Jpeg(640, 480);
        app.Source.Serve("/flow/a.jpg", jpeg);
        app.Source.Serve("/flow/b.png", SampleFiles.Png(30, 20));
        var system = Unique("archive");
        var jobId = await client.StartAsync("images", system,
            [Item(app.Source.Url("/flow/a.jpg"), "123", new JsonObject { ["title"] = "Harbour", ["credit"] = "Archive" }), Item(app.Source.Url("/flow/b.png"), "124")],
            new JsonObject { ["webhook"] = app.Receiver.Url("/import-done").ToString(), ["context"] = new JsonObject { ["batch"] = 7 } });

        var status = await client.FinishedAsync("images", jobId);

        Assert.Equal(["finished", "state", "id", "images"], status.EnumerateObject().Select(p => p.Name));
        Assert.Equal("success", status.GetProperty("state").GetString());
        Assert.Equal(jobId, status.GetProperty("id").GetString());
        var images = status.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(["123", "124"], images.Select(i => i.GetProperty("externalId").GetString()));
        Assert.All(images, i => Assert.Equal("success", i.GetProperty("state").GetString()));
        Assert.All(images, i => Assert.Equal(system, i.GetProperty("systemName").GetString()));
        Assert.All(images, i => Assert.False(i.TryGetProperty("reason", out _)));
        var first = images[0].GetProperty("image");
        Assert.Equal(app.Source.Url("/flow/a.jpg"), first.GetProperty("originalUrl").GetString());
        Assert.Equal(640, first.GetProperty("width").GetInt32());
        Assert.Equal(480, first.GetProperty("height").GetInt32());
        Assert.Equal("image/jpeg", first.GetProperty("mimeType").GetString());
        Assert.Equal("image/png", images[1].GetProperty("image").GetProperty("mimeType").GetString());

        // The entry is a real one: found by (systemName, externalId), served from its url, with a create event.
        var mediaId = first.GetProperty("mediaId").GetString()!;
        var entry = await client.GetEntryAsync(mediaId);
        Assert.Equal(system, entry.GetProperty("systemName").GetString());
        Assert.Equal("123", entry.GetProperty("externalId").GetString());
        Assert.Equal("Archive", entry.GetProperty("metadata").GetProperty("credit").GetString());
        Assert.Equal("123.bin", entry.GetProperty("asset").GetProperty("filename").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(jpeg)), entry.GetProperty("asset").GetProperty("sha256").GetString());
        var served = await client.GetAsync(new Uri(first.GetProperty("url").GetString()!).PathAndQuery);
        Assert.Equal(jpeg, await served.Content.ReadAsByteArrayAsync());
        var events = await client.EventsOfAsync(mediaId, 1);
        Assert.Equal("mediaLibraryEntry.create", Assert.Single(events).GetProperty("event").GetString());

        // The completion webhook: signed with the imports' secret, context and overview.
        await app.Receiver.WaitForAsync(r => r.Any(x => Body(x).GetProperty("id").GetString() == jobId), TimeSpan.FromSeconds(10));
        var callback = Assert.Single(app.Receiver.Requests, x => Body(x).GetProperty("id").GetString() == jobId);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ImportApp.WebhookSecret), callback.Body));
        Assert.Equal(expected, callback.Signature);
        Assert.StartsWith("dlv_", callback.DeliveryId, StringComparison.Ordinal);
        var body = Body(callback);
        Assert.Equal("success", body.GetProperty("state").GetString());
        Assert.True(body.GetProperty("finished").GetBoolean());
        Assert.Equal(7, body.GetProperty("context").GetProperty("batch").GetInt32());
        Assert.Equal("""{"total":2,"success":2,"skipped":0,"failed":0}""", body.GetProperty("overview").GetRawText());
    }

    [Fact]
    public async Task A_running_job_shows_its_progress()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/slow/one.png", SampleFiles.Png(10, 10), delay: TimeSpan.FromSeconds(1.5));
        var jobId = await client.StartAsync("images", Unique("slow"), [Item(app.Source.Url("/slow/one.png"), "1")]);

        var running = await client.StatusAsync("images", jobId);

        Assert.False(running.GetProperty("finished").GetBoolean());
        Assert.Equal("started", running.GetProperty("state").GetString());
        Assert.Equal(jobId, running.GetProperty("id").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT", running.GetProperty("startedAt").GetString());
        Assert.Equal("""{"done":0,"total":1}""", running.GetProperty("progress").GetRawText());
        Assert.False(running.TryGetProperty("images", out _));
        Assert.Equal("success", (await client.FinishedAsync("images", jobId)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Importing_again_skips_what_is_unchanged_and_updates_what_changed()
    {
        var client = await app.ReaderWriterAsync();
        var system = Unique("again");
        app.Source.Serve("/again/x.png", SampleFiles.Png(12, 12));
        var url = app.Source.Url("/again/x.png");
        var created = await client.ImportAndWaitAsync("images", system, [Item(url, "x", new JsonObject { ["title"] = "One" })]);
        var mediaId = created.GetProperty("images")[0].GetProperty("image").GetProperty("mediaId").GetString()!;

        var same = (await client.ImportAndWaitAsync("images", system, [Item(url, "x", new JsonObject { ["title"] = "One" })])).GetProperty("images")[0];
        Assert.Equal("skipped", same.GetProperty("state").GetString());
        Assert.Equal("already exists", same.GetProperty("reason").GetString());
        Assert.Equal(mediaId, same.GetProperty("image").GetProperty("mediaId").GetString());
        Assert.Equal(1, (await client.GetEntryAsync(mediaId)).GetProperty("version").GetInt32());

        var retitled = (await client.ImportAndWaitAsync("images", system, [Item(url, "x", new JsonObject { ["title"] = "Two" })])).GetProperty("images")[0];
        Assert.Equal("success", retitled.GetProperty("state").GetString());
        var entry = await client.GetEntryAsync(mediaId);
        Assert.Equal(2, entry.GetProperty("version").GetInt32());
        Assert.Equal("Two", entry.GetProperty("metadata").GetProperty("title").GetString());
        var key = entry.GetProperty("asset").GetProperty("key").GetString();

        app.Source.Serve("/again/x.png", SampleFiles.Png(14, 9));
        var rebytes = (await client.ImportAndWaitAsync("images", system, [Item(url, "x", new JsonObject { ["title"] = "Two" })])).GetProperty("images")[0];
        Assert.Equal("success", rebytes.GetProperty("state").GetString());
        entry = await client.GetEntryAsync(mediaId);
        Assert.Equal(3, entry.GetProperty("version").GetInt32());
        Assert.NotEqual(key, entry.GetProperty("asset").GetProperty("key").GetString());
        Assert.Equal(14, entry.GetProperty("asset").GetProperty("width").GetInt32());
        // The old key stays in the entry's history (a CDN purge needs it).
        var keys = (await (await client.GetAsync($"/api/2026-03/mediaLibrary/{mediaId}/keys")).JsonAsync()).GetProperty("results");
        Assert.Equal(2, keys.GetArrayLength());

        var events = await client.EventsOfAsync(mediaId, 3);
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.update", "mediaLibraryEntry.update"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(3, events[2].GetProperty("version").GetInt32());
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM media_entries WHERE system_name = @p", system));
    }

    [Fact]
    public async Task Each_item_fails_alone_with_a_clear_reason()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/fail/ok.png", SampleFiles.Png(8, 8));
        app.Source.Serve("/fail/doc.pdf", SampleFiles.Pdf());
        app.Source.Serve("/fail/big.png", new byte[300_001]);
        app.Source.Serve("/fail/slow.png", SampleFiles.Png(8, 8), delay: TimeSpan.FromSeconds(6));
        app.Source.Serve("/fail/broken", () => new SourceServer.Answer(500));
        app.Source.Redirect("/fail/loop", "/fail/loop");
        var system = Unique("fail");

        var status = await client.ImportAndWaitAsync("images", system,
        [
            Item(app.Source.Url("/fail/ok.png"), "ok"),
            Item(app.Source.Url("/fail/missing.png"), "missing"),
            Item(app.Source.Url("/fail/doc.pdf"), "pdf"),
            Item(app.Source.Url("/fail/big.png"), "big"),
            Item(app.Source.Url("/fail/slow.png"), "slow"),
            Item(app.Source.Url("/fail/ok.png"), "untitled", new JsonObject { ["caption"] = "no title" }),
            Item(app.Source.Url("/fail/broken"), "broken"),
            Item(app.Source.Url("/fail/loop"), "loop"),
            Item("not a url", "garbage"),
        ]);

        Assert.Equal("success", status.GetProperty("state").GetString());
        var items = status.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("externalId").GetString()!);
        Assert.Equal("success", items["ok"].GetProperty("state").GetString());
        string Reason(string id)
        {
            Assert.Equal("failed", items[id].GetProperty("state").GetString());
            Assert.False(items[id].TryGetProperty("image", out _));
            return items[id].GetProperty("reason").GetString()!;
        }

        Assert.Equal("the source answered 404", Reason("missing"));
        Assert.Equal("The file is application/pdf, not an image.", Reason("pdf"));
        Assert.Contains("larger than the upload limit of 300000 bytes", Reason("big"), StringComparison.Ordinal);
        Assert.Equal("the source did not deliver within 3 s", Reason("slow"));
        Assert.Equal("invalid metadata: title: is required", Reason("untitled").Replace("Value is required", "is required", StringComparison.Ordinal));
        Assert.Equal("the source answered 500 (after 3 attempts)", Reason("broken"));
        Assert.Equal("more than 5 redirects", Reason("loop"));
        Assert.Equal("the url is not an absolute URL", Reason("garbage"));
        Assert.Equal(3, app.Source.HitsOf("/fail/broken"));
        // The metadata is checked before anything is downloaded.
        Assert.Equal(1, app.Source.HitsOf("/fail/ok.png"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM media_entries WHERE system_name = @p", system));
    }

    [Fact]
    public async Task A_source_that_recovers_is_retried_and_a_job_where_nothing_worked_is_failed()
    {
        var client = await app.ReaderWriterAsync();
        var calls = 0;
        app.Source.Serve("/flaky.png", () => Interlocked.Increment(ref calls) == 1 ? new SourceServer.Answer(503) : new SourceServer.Answer(200, SampleFiles.Png(9, 9)));
        var recovered = await client.ImportAndWaitAsync("images", Unique("flaky"), [Item(app.Source.Url("/flaky.png"), "f")]);
        Assert.Equal("success", recovered.GetProperty("images")[0].GetProperty("state").GetString());
        Assert.Equal(2, calls);

        var nothing = await client.ImportAndWaitAsync("images", Unique("none"), [Item(app.Source.Url("/none/1"), "1"), Item(app.Source.Url("/none/2"), "2")]);
        Assert.Equal("failed", nothing.GetProperty("state").GetString());
        Assert.Equal(2, nothing.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public async Task Videos_and_files_use_the_same_machinery_under_their_own_names()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/v/clip.mp4", SampleFiles.Mp4(320, 240, 4.5));
        app.Source.Serve("/f/doc.pdf", SampleFiles.Pdf());
        app.Source.Serve("/v/still.png", SampleFiles.Png(5, 5));

        var videos = await client.ImportAndWaitAsync("videos", Unique("vid"), [Item(app.Source.Url("/v/clip.mp4"), "c"), Item(app.Source.Url("/v/still.png"), "s")]);
        var clip = videos.GetProperty("videos")[0];
        Assert.Equal("success", clip.GetProperty("state").GetString());
        Assert.Equal("video/mp4", clip.GetProperty("video").GetProperty("mimeType").GetString());
        Assert.Equal(320, clip.GetProperty("video").GetProperty("width").GetInt32());
        Assert.Equal("The file is image/png, not a video.", videos.GetProperty("videos")[1].GetProperty("reason").GetString());
        var entry = await client.GetEntryAsync(clip.GetProperty("video").GetProperty("mediaId").GetString()!);
        Assert.Equal("video", entry.GetProperty("mediaType").GetString());

        var files = await client.ImportAndWaitAsync("files", Unique("doc"), [Item(app.Source.Url("/f/doc.pdf"), "d")]);
        var file = files.GetProperty("files")[0].GetProperty("file");
        Assert.Equal("application/pdf", file.GetProperty("mimeType").GetString());
        Assert.False(file.TryGetProperty("width", out _));

        // A job is found under its own kind only.
        var response = await client.GetAsync($"/api/2026-03/import/images/status?id={videos.GetProperty("id").GetString()}");
        await response.AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_redirect_between_allowed_sources_is_followed()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/moved/new.png", SampleFiles.Png(7, 7));
        app.Source.Redirect("/moved/old.png", app.Source.Url("/moved/new.png"));

        var status = await client.ImportAndWaitAsync("images", Unique("moved"), [Item(app.Source.Url("/moved/old.png"), "m")]);

        Assert.Equal("success", status.GetProperty("images")[0].GetProperty("state").GetString());
        Assert.Equal(app.Source.Url("/moved/old.png"), status.GetProperty("images")[0].GetProperty("image").GetProperty("originalUrl").GetString());
    }

    [Fact]
    public async Task At_most_two_items_are_fetched_from_one_host_at_a_time()
    {
        var client = await app.ReaderWriterAsync();
        var system = Unique("polite");
        var png = SampleFiles.Png(4, 4);
        for (var i = 0; i < 12; i++)
        {
            app.Source.Serve($"/polite/{system}/{i}.png", png, delay: TimeSpan.FromMilliseconds(150));
        }

        app.Source.ResetMaxInFlight();
        var status = await client.ImportAndWaitAsync("images", system, Enumerable.Range(0, 12).Select(i => Item(app.Source.Url($"/polite/{system}/{i}.png"), $"p{i}")));

        Assert.Equal(12, status.GetProperty("images").EnumerateArray().Count(i => i.GetProperty("state").GetString() == "success"));
        Assert.Equal(2, app.Source.MaxInFlight);
    }

    [Fact]
    public async Task A_completion_webhook_that_fails_is_retried_with_the_same_delivery_id_and_body()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/retry/x.png", SampleFiles.Png(3, 3));
        var attempts = 0;
        app.Receiver.Answer = r => Body(r).TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty("retry", out _) &&
            Interlocked.Increment(ref attempts) == 1 ? 503 : 200;
        var jobId = await client.StartAsync("images", Unique("retry"), [Item(app.Source.Url("/retry/x.png"), "r")],
            new JsonObject { ["webhook"] = app.Receiver.Url("/retry-done").ToString(), ["context"] = new JsonObject { ["retry"] = true } });
        await client.FinishedAsync("images", jobId);

        await app.Receiver.WaitForAsync(r => r.Count(x => Body(x).TryGetProperty("id", out var id) && id.GetString() == jobId) >= 2, TimeSpan.FromSeconds(30));
        var calls = app.Receiver.Requests.Where(x => Body(x).TryGetProperty("id", out var id) && id.GetString() == jobId).ToList();

        Assert.Equal(2, calls.Count);
        Assert.Equal(calls[0].DeliveryId, calls[1].DeliveryId);
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.Equal(calls[0].Signature, calls[1].Signature);

        // The operator sees the callbacks with the CLI, beside the configured webhooks.
        var (exit, list, _) = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "list");
        Assert.Equal(0, exit);
        Assert.Contains("import-jobs", list, StringComparison.Ordinal);
        var (_, deliveries, _) = await ServiceProcess.RunAsync(app.Settings(), "webhooks", "deliveries", "--handle", "import-jobs");
        Assert.Contains(calls[0].DeliveryId, deliveries, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finished_jobs_are_deleted_after_the_retention_time_and_their_entries_stay()
    {
        var client = await app.ReaderWriterAsync();
        app.Source.Serve("/old/x.png", SampleFiles.Png(5, 5));
        var old = await client.ImportAndWaitAsync("images", Unique("old"), [Item(app.Source.Url("/old/x.png"), "o")]);
        var recent = await client.ImportAndWaitAsync("images", Unique("recent"), [Item(app.Source.Url("/old/x.png"), "r")]);
        var oldId = old.GetProperty("id").GetString()!;
        var database = app.Services.GetRequiredService<Database>();
        await using (var session = await database.OpenAutocommitWriteAsync())
        {
            await session.ExecuteAsync("UPDATE import_jobs SET finished_at = @at WHERE id = @id", CancellationToken.None,
                ("at", DateTimeOffset.UtcNow.AddDays(-31)), ("id", oldId));
        }

        await app.Services.GetRequiredService<MediaLibrary.Imports.ImportWorker>().CleanUpAsync(CancellationToken.None);

        await (await client.GetAsync($"/api/2026-03/import/images/status?id={oldId}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM import_items WHERE job_id = @p", oldId));
        Assert.True((await client.StatusAsync("images", recent.GetProperty("id").GetString()!)).GetProperty("finished").GetBoolean());
        var mediaId = old.GetProperty("images")[0].GetProperty("image").GetProperty("mediaId").GetString()!;
        Assert.Equal(1, (await client.GetEntryAsync(mediaId)).GetProperty("version").GetInt32());
    }

    private static JsonElement Body(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement;

    private async Task<long> CountAsync(string sql, string? parameter = null)
    {
        var database = app.Services.GetRequiredService<Database>();
        await using var session = await database.OpenSessionAsync();
        return (await session.QueryAsync<long>(sql, CancellationToken.None, ("p", parameter)))[0];
    }
}
