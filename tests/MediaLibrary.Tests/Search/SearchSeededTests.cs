using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Search;

/// A library of its own, filled by the seed command (the bulk path: triggers index it too).
public sealed class SearchSeededTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Entries_written_by_the_bulk_seed_are_found_and_total_stops_counting_at_ten_thousand()
    {
        var (exit, _, stderr) = await ServiceProcess.RunAsync(app.Settings(), "seed", "--entries", "10050");
        Assert.True(exit == 0, stderr);
        var client = await app.ReaderWriterAsync();

        var broad = await client.SearchAsync("systemName=seed&limit=5");
        Assert.Equal(10_000, broad.GetProperty("total").GetInt64());
        Assert.Equal("gte", broad.GetProperty("totalRelation").GetString());

        // The seed gives entry i the photographer name i % 100: a word that finds 1 %.
        var word = await client.SearchAsync($"q={MediaLibrary.Cli.SeedCommand.Photographer(7)}&limit=100");
        Assert.Equal(101, word.GetProperty("total").GetInt64());
        Assert.Equal("eq", word.GetProperty("totalRelation").GetString());
        Assert.All(word.GetProperty("results").EnumerateArray(),
            e => Assert.Contains(MediaLibrary.Cli.SeedCommand.Photographer(7), e.GetProperty("metadata").GetProperty("credit").GetString()));
        var all = await client.AllPagesAsync($"q={MediaLibrary.Cli.SeedCommand.Photographer(7)}&limit=30");
        Assert.Equal(101, all.Distinct().Count());
        Assert.Equal(1005, (await client.SearchAsync("q=harbour+dawn&limit=1")).GetProperty("total").GetInt64());

        // A common word walks the sort index instead of sorting every match (SQLite); every page is still complete.
        foreach (var sort in new[] { "", "&sort=createdAt", "&sort=updatedAt", "&sort=relevance" })
        {
            var harbour = await client.AllPagesAsync($"q=harbour{sort}&limit=100");
            Assert.Equal(1005, harbour.Count);
            Assert.Equal(1005, harbour.Distinct().Count());
        }

        var pictures = await client.SearchAsync("q=picture&limit=3&mediaType=image");
        Assert.Equal("gte", pictures.GetProperty("totalRelation").GetString());
        Assert.Equal(3, pictures.GetProperty("results").GetArrayLength());
    }
}

/// The change log behind the cursors is pruned by age, never below its newest row.
public sealed class SearchChangeLogTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Pruning_deletes_old_changes_but_keeps_the_newest_so_numbers_never_start_again()
    {
        var client = await app.ReaderWriterAsync();
        var asset = await client.UploadImageAsync();
        await client.ImportManyAsync(asset, Enumerable.Range(0, 5).Select(i => new JsonObject { ["title"] = $"Old {i}" }));
        var database = app.Services.GetRequiredService<MediaLibrary.Storage.Database>();
        var store = app.Services.GetRequiredService<MediaLibrary.Search.SearchStore>();

        async Task<List<long>> Seqs()
        {
            await using var session = await database.OpenSessionAsync();
            return await session.QueryAsync<long>("SELECT seq FROM search_changes ORDER BY seq", CancellationToken.None);
        }

        // (SQLite keeps changes its indexer has not read yet: here it has read them all.)
        await app.Services.GetRequiredService<MediaLibrary.Search.SearchIndexer>().CatchUpAsync(CancellationToken.None);
        var before = await Seqs();
        Assert.True(before.Count >= 5);
        // Nothing is old yet: nothing goes.
        Assert.Equal(0, await store.PruneChangesAsync(CancellationToken.None));
        await using (var session = await database.OpenAutocommitWriteAsync())
        {
            await session.ExecuteAsync("UPDATE search_changes SET at = @old", CancellationToken.None, ("old", new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        }

        Assert.Equal(before.Count - 1, await store.PruneChangesAsync(CancellationToken.None));
        Assert.Equal([before[^1]], await Seqs());

        await client.ImportManyAsync(asset, [new JsonObject { ["title"] = "New" }]);
        Assert.True((await Seqs())[^1] > before[^1]);
    }
}
