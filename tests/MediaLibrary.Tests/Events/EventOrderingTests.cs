using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

/// The no-gap guarantee where it is hard: many writers commit concurrently while a reader pages.
public sealed class EventOrderingTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_reader_paging_with_id_gt_sees_every_event_of_eight_concurrent_writers_exactly_once()
    {
        var writer = await app.ReaderWriterAsync();
        var entries = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            entries.Add(await writer.ImportImageAsync(new JsonObject { ["title"] = $"writer {i}" }));
        }

        var reader = await app.ClientAsync("public-api:read");
        var seen = new List<long>();
        var writing = true;
        var readerTask = Task.Run(async () =>
        {
            long after = 0;
            while (true)
            {
                var stillWriting = Volatile.Read(ref writing);
                var page = await reader.PageAsync(after, limit: 7);
                seen.AddRange(page.Select(e => e.GetProperty("id").GetInt64()));
                if (page.Count > 0)
                {
                    after = seen[^1];
                }
                else if (!stillWriting && await UnnumberedAsync() == 0 && (await reader.PageAsync(after)).Count == 0)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(entries.Select(async (id, w) =>
        {
            var client = await app.ReaderWriterAsync();
            for (var n = 0; n < 40; n++)
            {
                await client.PatchOpsAsync(id, SetMetadata("caption", $"writer {w} change {n}"));
                if (n % 10 == 0)
                {
                    await client.ImportImageAsync(new JsonObject { ["title"] = $"new from {w}" });
                }
            }
        }));
        Volatile.Write(ref writing, false);
        await readerTask.WaitAsync(TimeSpan.FromSeconds(60));

        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        var all = (await connection.QueryAsync<long>("SELECT position FROM events ORDER BY position")).ToList();
        Assert.Equal(8 + (8 * 40) + (8 * 4), all.Count);
        Assert.Equal(all, seen);
    }

    private async Task<long> UnnumberedAsync()
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE position IS NULL");
    }
}
