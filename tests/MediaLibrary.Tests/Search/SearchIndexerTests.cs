using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Search;

/// SQLite puts search words into its index after the commit (SearchIndexer), from the change log
/// and a position kept in the database; PostgreSQL writes them with the row. These tests search
/// without the test clients' wait for the index (TestApp.ClientAsync): as a user does.
public sealed class SearchIndexerTests
{
    [Fact]
    public async Task Search_catches_up_after_a_process_is_killed_between_a_commit_and_its_indexing()
    {
        await using var database = await ProcessDatabase.CreateAsync("searchindex");
        var token = await database.TokenAsync();
        var before = SearchCalls.Word();
        var after = SearchCalls.Word();
        string id;

        // The first process indexes the entry it creates, then commits a change it never indexes:
        // its indexer is off (as if killed right after each commit), and it is killed.
        var stalled = new Dictionary<string, string?>(database.Settings) { ["MediaLibrary:Search:IndexInBackground"] = "false" };
        await using (var first = await ServiceProcess.StartAsync(database.Settings))
        {
            var client = first.Client(token);
            id = await client.ImportImageAsync(new JsonObject { ["title"] = "Harbour", ["caption"] = before });
            await Waits.UntilAsync(async () => (await client.SearchAsync($"q={before}")).Ids(), ids => ids.SequenceEqual([id]),
                TimeSpan.FromSeconds(10), "the new entry to be found");
        }

        await using (var second = await ServiceProcess.StartAsync(stalled))
        {
            var client = second.Client(token);
            (await client.PatchOpsAsync(id, ApiCalls.SetMetadata("caption", after))).EnsureSuccessStatusCode();
            Assert.Equal(after, (await client.GetEntryAsync(id)).GetProperty("metadata").GetProperty("caption").GetString());
            if (!TestApp.UsePostgres)
            {
                // Committed, not indexed: search still knows the entry by its old words only.
                Assert.Empty((await client.SearchAsync($"q={after}")).Ids());
                Assert.Equal([id], (await client.SearchAsync($"q={before}")).Ids());
            }
            else
            {
                // PostgreSQL writes the words in the row's own transaction.
                Assert.Equal([id], (await client.SearchAsync($"q={after}")).Ids());
            }
        } // SIGKILL

        await using var third = await ServiceProcess.StartAsync(database.Settings);
        var reader = third.Client(token);
        await Waits.UntilAsync(async () => (await reader.SearchAsync($"q={after}")).Ids(), ids => ids.SequenceEqual([id]),
            TimeSpan.FromSeconds(10), "the next process to index the change the killed one committed");
        Assert.Empty((await reader.SearchAsync($"q={before}")).Ids());
        Assert.Equal(1, (await reader.SearchAsync($"q=harbour+{after}")).GetProperty("total").GetInt32());
    }

}

/// A process whose indexer does not run: what it commits waits in the change log.
public sealed class StalledIndexApp : TestApp
{
    public StalledIndexApp() => Overrides["MediaLibrary:Search:IndexInBackground"] = "false";
}

public sealed class SearchChangeLogPruningTests(StalledIndexApp app) : IClassFixture<StalledIndexApp>
{
    [Fact]
    public async Task Pruning_never_deletes_changes_the_indexer_has_not_read()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([Scopes.Read, Scopes.Write]));
        var word = SearchCalls.Word();
        var ids = await client.ImportManyAsync(await client.UploadImageAsync(), Enumerable.Range(0, 3).Select(i => new JsonObject { ["title"] = $"{word} {i}" }));
        var database = app.Services.GetRequiredService<MediaLibrary.Storage.Database>();
        var store = app.Services.GetRequiredService<MediaLibrary.Search.SearchStore>();
        await using (var session = await database.OpenAutocommitWriteAsync())
        {
            // Every change is older than a cursor may live.
            await session.ExecuteAsync("UPDATE search_changes SET at = @old", CancellationToken.None, ("old", new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        }

        if (TestApp.UsePostgres)
        {
            // No indexer reads the log there (the words are in the row): all but the newest go.
            Assert.Equal(2, await store.PruneChangesAsync(CancellationToken.None));
            Assert.Equal(ids.Order(), (await client.SearchAsync($"q={word}")).Ids().Order());
            return;
        }

        Assert.Equal(0, await store.PruneChangesAsync(CancellationToken.None));
        Assert.Empty((await client.SearchAsync($"q={word}")).Ids());

        await app.Services.GetRequiredService<MediaLibrary.Search.SearchIndexer>().CatchUpAsync(CancellationToken.None);
        Assert.Equal(ids.Order(), (await client.SearchAsync($"q={word}")).Ids().Order());
        Assert.Equal(2, await store.PruneChangesAsync(CancellationToken.None));
    }
}
