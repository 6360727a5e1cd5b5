using System.Text.Json.Nodes;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Imports.ImportFlow;

namespace MediaLibrary.Tests.Imports;

/// The test host accepts jobs but works on none (Concurrency 0): the items are done by the real
/// API processes the tests start, kill and start again.
public sealed class ImportProcessApp : ImportApp
{
    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:Imports:Concurrency"] = "0";
        await base.InitializeAsync();
        // Every /bulk/ path is a small PNG that takes 10 ms to arrive.
        var png = SampleFiles.Png(16, 16);
        Source.Fallback = path => path.StartsWith("/bulk/", StringComparison.Ordinal) ? new SourceServer.Answer(200, png, Delay: TimeSpan.FromMilliseconds(10)) : null;
    }

    /// Settings for a real process that works on imports.
    public Dictionary<string, string?> WorkerSettings()
    {
        var settings = Settings();
        settings["MediaLibrary:Imports:Concurrency"] = "4";
        settings["MediaLibrary:Imports:ConcurrencyPerHost"] = "4";
        settings["MediaLibrary:Imports:ItemTimeoutSeconds"] = "2";
        return settings;
    }
}

public sealed class ImportDurabilityTests(ImportProcessApp app) : IClassFixture<ImportProcessApp>
{
    [Fact]
    public async Task A_job_survives_its_process_being_killed_and_every_item_is_done_once()
    {
        var client = await app.ReaderWriterAsync();
        var token = await app.CreateTokenAsync(["public-api:read", "public-api:write"]);
        var system = Unique("killed");
        var items = Enumerable.Range(0, 1000).Select(i => Item(app.Source.Url($"/bulk/{system}/{i}.png"), $"k{i}")).ToList();
        var jobId = await client.StartAsync("images", system, items);

        await using (var first = await ServiceProcess.StartAsync(app.WorkerSettings()))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await client.StatusAsync("images", jobId)).GetProperty("progress").GetProperty("done").GetInt32() < 100)
            {
                Assert.True(DateTime.UtcNow < deadline, "The first process did not get going.");
                await Task.Delay(50);
            }
        } // SIGKILL, mid-job

        var done = (await client.StatusAsync("images", jobId)).GetProperty("progress").GetProperty("done").GetInt32();
        Assert.InRange(done, 100, 999);
        await using var second = await ServiceProcess.StartAsync(app.WorkerSettings());
        var status = await client.FinishedAsync("images", jobId, TimeSpan.FromSeconds(120));

        Assert.Equal("success", status.GetProperty("state").GetString());
        Assert.All(status.GetProperty("images").EnumerateArray(), i => Assert.Equal("success", i.GetProperty("state").GetString()));
        Assert.Equal((1000, 1000), await EntriesAsync(system));
        // Only the items in flight at the kill (at most 4) were fetched twice.
        var paths = Enumerable.Range(0, 1000).Select(i => $"/bulk/{system}/{i}.png").ToList();
        Assert.All(paths, p => Assert.InRange(app.Source.HitsOf(p), 1, 2));
        Assert.InRange(paths.Count(p => app.Source.HitsOf(p) == 2), 0, 4);
    }

    [Fact]
    public async Task Two_processes_share_the_items_of_one_job()
    {
        var client = await app.ReaderWriterAsync();
        var system = Unique("shared");
        await using var first = await ServiceProcess.StartAsync(app.WorkerSettings());
        await using var second = await ServiceProcess.StartAsync(app.WorkerSettings());
        var jobId = await client.StartAsync("images", system, Enumerable.Range(0, 300).Select(i => Item(app.Source.Url($"/bulk/{system}/{i}.png"), $"s{i}")));

        var status = await client.FinishedAsync("images", jobId, TimeSpan.FromSeconds(120));

        Assert.Equal(300, status.GetProperty("images").EnumerateArray().Count(i => i.GetProperty("state").GetString() == "success"));
        Assert.Equal((300, 300), await EntriesAsync(system));
        var database = app.Services.GetRequiredService<Database>();
        await using var session = await database.OpenSessionAsync();
        var workers = await session.QueryAsync<string>("SELECT DISTINCT worker FROM import_items WHERE job_id = @id", CancellationToken.None, ("id", jobId));
        Assert.Equal(2, workers.Count);
        Assert.Equal(300, Enumerable.Range(0, 300).Sum(i => app.Source.HitsOf($"/bulk/{system}/{i}.png")));
    }

    [Fact]
    public async Task An_item_whose_attempts_never_finish_is_failed_instead_of_retried_forever()
    {
        var client = await app.ReaderWriterAsync();
        var system = Unique("poison");
        var jobId = await client.StartAsync("images", system, [Item(app.Source.Url($"/bulk/{system}/0.png"), "p0")]);
        // As if three processes had claimed it and died before finishing.
        var database = app.Services.GetRequiredService<Database>();
        await using (var session = await database.OpenAutocommitWriteAsync())
        {
            await session.ExecuteAsync("UPDATE import_items SET attempts = 3 WHERE job_id = @id", CancellationToken.None, ("id", jobId));
        }

        await using var worker = await ServiceProcess.StartAsync(app.WorkerSettings());
        var status = await client.FinishedAsync("images", jobId, TimeSpan.FromSeconds(30));

        var item = status.GetProperty("images")[0];
        Assert.Equal("failed", item.GetProperty("state").GetString());
        Assert.StartsWith("gave up after 3 attempts that did not finish", item.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, app.Source.HitsOf($"/bulk/{system}/0.png"));
        Assert.Equal((0, 0), await EntriesAsync(system));
    }

    /// Entries of the system, and how many distinct external ids they have.
    private async Task<(long, long)> EntriesAsync(string system)
    {
        var database = app.Services.GetRequiredService<Database>();
        await using var session = await database.OpenSessionAsync();
        var total = (await session.QueryAsync<long>("SELECT COUNT(*) FROM media_entries WHERE system_name = @s", CancellationToken.None, ("s", system)))[0];
        var distinct = (await session.QueryAsync<long>("SELECT COUNT(DISTINCT external_id) FROM media_entries WHERE system_name = @s", CancellationToken.None, ("s", system)))[0];
        return (total, distinct);
    }
}
