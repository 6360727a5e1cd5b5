using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Events;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Lifecycle;

/// Images whose routine deletes agency pictures (credit agency-a or agency-b) and high-priority
/// ones, created before the run, three at a time; videos have no routine. Publishing a `regular`
/// document records `web` usage (the usage-log app's purposes).
public sealed class RoutineApp : TestApp
{
    public const string Routine = """
        {"enabled": true, "filters": [
          {"key": "createdAt", "range": {"lte": "now-0m"}},
          {"or": [{"key": "metadata.credit", "term": ["agency-a", "agency-b"]},
                  {"and": [{"key": "metadata.priority", "range": {"gte": 9}}, {"key": "state", "term": "active"}]}]}]}
        """;

    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:MediaTypesFile"] = await WriteConfigAsync(DataDirectory, Routine);
        Overrides["MediaLibrary:Lifecycle:RoutineBatch"] = "3";
        await base.InitializeAsync();
    }

    /// The shipped media types with `routine` as the image type's deletionRoutine.
    public static async Task<string> WriteConfigAsync(string folder, string routine, string type = "image")
    {
        var path = await ProjectConfig.WriteAsync(folder, ("usagePurposes", UsageLog.UsageLogApp.Purposes));
        var config = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var image = config["mediaTypes"]!.AsArray().First(t => t!["handle"]!.GetValue<string>() == type)!;
        image["deletionRoutine"] = JsonNode.Parse(routine);
        var file = Path.Combine(folder, $"routine-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        return file;
    }
}

public sealed class RoutineTests(RoutineApp app) : IClassFixture<RoutineApp>
{
    [Fact]
    public async Task Preview_counts_without_deleting_and_run_deletes_only_matching_entries_not_in_use()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        async Task<string> Image(string id, JsonObject metadata, JsonObject? extra = null)
        {
            metadata["title"] = id;
            var fields = extra ?? [];
            fields["id"] = $"{id}-{tag}";
            return await client.ImportImageAsync(metadata, fields);
        }

        var agency = await Image("agency", new JsonObject { ["credit"] = "agency-a" });
        var urgent = await Image("urgent", new JsonObject { ["priority"] = 10 });
        var archived = await Image("archived", new JsonObject { ["credit"] = "agency-b" });
        (await client.PatchOpsAsync(archived, Op("archive"))).EnsureSuccessStatusCode();
        var published = await Image("published", new JsonObject { ["credit"] = "agency-a" });
        await client.ImportDocumentAsync(DocumentCalls.Document("story-" + tag, publish: true, DocumentCalls.ImageComponent("c1", published)));
        var linked = await Image("linked", new JsonObject { ["credit"] = "agency-a" });
        await Image("linker", new JsonObject { ["relatedImage"] = new JsonObject { ["mediaId"] = linked } });
        var staff = await Image("staff", new JsonObject { ["credit"] = "staff" });
        var calm = await Image("calm", new JsonObject { ["priority"] = 3 });
        var revokedUrgent = await Image("revokedurgent", new JsonObject { ["priority"] = 9 });
        (await client.PatchOpsAsync(revokedUrgent, Op("revokeAsset"))).EnsureSuccessStatusCode();
        var video = (await client.ImportAsync([new JsonObject
        {
            ["id"] = "video-" + tag, ["mediaType"] = "video", ["metadata"] = new JsonObject { ["title"] = "Clip", ["credit"] = "agency-a" },
            ["asset"] = await client.UploadAsync(SampleFiles.Mp4(64, 48, 2), "clip.mp4"),
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;

        var preview = await ServiceProcess.RunAsync(app.Settings(), "lifecycle", "preview", "--media-type", "image");
        Assert.True(preview.ExitCode == 0, preview.Stderr);
        Assert.Matches($@"image\s+2\s+{agency},{urgent}", preview.Stdout);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{agency}")).StatusCode);
        var nothing = await ServiceProcess.RunAsync(app.Settings(), "lifecycle", "preview", "--media-type", "video");
        Assert.Contains("has no enabled deletion routine", nothing.Stdout);

        var run = await ServiceProcess.RunAsync(app.Settings(), "lifecycle", "run");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Matches(@"image\s+2\s", run.Stdout);
        foreach (var gone in new[] { agency, urgent })
        {
            await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{gone}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
            var deleted = (await client.EventsOfAsync(gone, 2)).Last();
            Assert.Equal("mediaLibraryEntry.delete", deleted.GetProperty("event").GetString());
            Assert.Equal("system", deleted.GetProperty("actor").GetProperty("type").GetString());
            Assert.Equal("deletion-routine", deleted.GetProperty("actor").GetProperty("name").GetString());
        }

        foreach (var kept in new[] { archived, published, linked, staff, calm, revokedUrgent, video })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{kept}")).StatusCode);
        }

        var again = await ServiceProcess.RunAsync(app.Settings(), "lifecycle", "preview");
        Assert.Matches(@"image\s+0\s+-", again.Stdout);
    }

    [Fact]
    public async Task Two_processes_running_the_routines_at_once_delete_each_entry_once()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadImageAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var batch = 0; batch < 2; batch++)
        {
            var items = new JsonArray([.. Enumerable.Range(0, 60).Select(i => (JsonNode)new JsonObject
            {
                ["id"] = $"bulk-{tag}-{batch}-{i}", ["mediaType"] = "image", ["asset"] = asset.DeepClone(),
                ["metadata"] = new JsonObject { ["title"] = "Wire", ["credit"] = "agency-b" },
            })]);
            var results = (await client.ImportAsync(items)).GetProperty("results").EnumerateArray().ToList();
            Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), r.GetRawText()));
            ids.AddRange(results.Select(r => r.GetProperty("id").GetString()!));
        }

        var settings = app.Settings();
        settings["MediaLibrary:Lifecycle:RoutineBatch"] = "7";
        var runs = await Task.WhenAll(ServiceProcess.RunAsync(settings, "lifecycle", "run"), ServiceProcess.RunAsync(settings, "lifecycle", "run"));
        Assert.Contains(runs, r => r.ExitCode == 0);

        foreach (var id in ids)
        {
            await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        }

        // PostgreSQL numbers events in the background: wait until the feed has them all (and no more come).
        var deletes = await Waits.UntilAsync(
            async () => (await client.PageAsync(query: "&events=mediaLibraryEntry.delete", limit: 1000))
                .Where(e => e.GetProperty("mediaId").GetString()!.StartsWith($"bulk-{tag}-", StringComparison.Ordinal)).ToList(),
            d => d.Count >= ids.Count, TimeSpan.FromSeconds(10), "the delete events in the feed", d => $"{d.Count} events");
        await Task.Delay(500);
        deletes = [.. (await client.PageAsync(query: "&events=mediaLibraryEntry.delete", limit: 1000))
            .Where(e => e.GetProperty("mediaId").GetString()!.StartsWith($"bulk-{tag}-", StringComparison.Ordinal))];
        Assert.Equal(ids.Count, deletes.Count);
        Assert.Equal(ids.Order(), deletes.Select(e => e.GetProperty("mediaId").GetString()!).Order());
        // The bytes all entries shared went with the last of them.
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(asset["key"]!.GetValue<string>()), TimeSpan.FromSeconds(20), "the shared bytes to be erased");
    }

    [Fact]
    public async Task Publications_racing_the_routine_keep_every_entry_they_reference()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadImageAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var batch = 0; batch < 3; batch++)
        {
            var items = new JsonArray([.. Enumerable.Range(0, 80).Select(i => (JsonNode)new JsonObject
            {
                ["id"] = $"race-{tag}-{batch}-{i:D2}", ["mediaType"] = "image", ["asset"] = asset.DeepClone(),
                ["metadata"] = new JsonObject { ["title"] = "Wire", ["credit"] = "agency-a" },
            })]);
            var results = (await client.ImportAsync(items)).GetProperty("results").EnumerateArray().ToList();
            Assert.All(results, r => Assert.True(r.GetProperty("ok").GetBoolean(), r.GetRawText()));
            ids.AddRange(results.Select(r => r.GetProperty("id").GetString()!));
        }

        // The routine walks the entries in id order, three at a time; four writers publish a story
        // for each entry in random order meanwhile, so publications and batches meet.
        var pending = new System.Collections.Concurrent.ConcurrentQueue<string>(ids.OrderBy(_ => Random.Shared.Next()));
        var routine = Task.Run(() => app.Services.GetRequiredService<MediaLibrary.Lifecycle.DeletionRoutines>().RunAsync(CancellationToken.None));
        var published = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var done = 0;
            while (pending.TryDequeue(out var id))
            {
                await client.ImportDocumentAsync(DocumentCalls.Document($"race-{id}", publish: true, DocumentCalls.ImageComponent("c1", id)));
                done++;
            }

            return done;
        })));
        var runs = await routine;
        Assert.NotNull(runs);
        Assert.Equal(ids.Count, published.Sum());

        // An entry the routine deleted was deleted before its story was published: no usage was
        // recorded for it. Every entry still here has its usage.
        var used = new HashSet<string>();
        var cursor = "";
        for (var i = 0; i < 50 && (i == 0 || cursor.Length > 0); i++)
        {
            var page = await (await client.GetAsync($"/api/{LifecycleCalls.V}/usageLog?purpose=web&limit=1000&after={cursor}")).JsonAsync();
            used.UnionWith(page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("mediaId").GetString()!));
            cursor = page.GetProperty("cursor").GetString()!;
        }

        var deleted = 0;
        foreach (var id in ids)
        {
            var status = (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).StatusCode;
            if (status == HttpStatusCode.NotFound)
            {
                deleted++;
                Assert.False(used.Contains(id), $"{id} was deleted after a publication referenced it");
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.True(used.Contains(id), $"{id} is kept without a publication");
            }
        }

        Assert.Equal(runs!.Single(r => r.MediaType == "image").Count, deleted);
    }

    [Theory]
    [InlineData("""{"enabled": true}""", "media type 'image', deletionRoutine.filters must be a non-empty list")]
    [InlineData("""{"filters": [{"key": "metadata.nope", "term": "x"}]}""", "media type 'image', deletionRoutine.filters.0.key 'metadata.nope' is not one of")]
    [InlineData("""{"filters": [{"key": "createdAt", "range": {"lte": "now-30x"}}]}""", "media type 'image', deletionRoutine.filters.0.range.lte must be an ISO date")]
    [InlineData("""{"filters": [{"or": [{"key": "state", "term": ["gone"]}]}]}""", "media type 'image', deletionRoutine.filters.0.or.0.term: state must be active, revoked or invalid")]
    [InlineData("""{"filters": [{"key": "metadata.title", "range": {"gt": 3}}]}""", "media type 'image', deletionRoutine.filters.0.range: 'metadata.title' takes no range")]
    public async Task A_bad_routine_stops_the_start_naming_the_media_type(string routine, string message)
    {
        var settings = app.Settings();
        settings["MediaLibrary:MediaTypesFile"] = await RoutineApp.WriteConfigAsync(app.DataDirectory, routine);

        var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
