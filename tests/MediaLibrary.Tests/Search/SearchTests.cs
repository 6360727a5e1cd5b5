using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Search;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Search;

public sealed class SearchTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Words_match_in_any_order_without_case_or_accents_over_every_searchable_field()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadAsync(SampleFiles.Jpeg(40, 30), "hafen-morgengrauen_01.jpg");
        var id = await client.ImportImageAsync(new JsonObject
        {
            ["title"] = $"Port at dawn {word}",
            ["caption"] = "Un café crème sur le quai",
            ["credit"] = "Agence Zürich",
            ["tags"] = new JsonArray("Hafenbecken", "Möwe"),
        }, new JsonObject
        {
            ["asset"] = asset,
            ["translations"] = new JsonArray(new JsonObject { ["locale"] = "fr", ["metadata"] = new JsonObject { ["title"] = "Le port à l'aube" } }),
        });
        var other = await client.ImportImageAsync(new JsonObject { ["title"] = $"Unrelated {word}" });

        foreach (var q in new[] { $"{word} CAFE", $"creme {word}", $"zurich {word}", $"{word} mowe hafenbecken", $"{word} morgengrauen", $"{word} Aube", $"DAWN {word.ToUpperInvariant()}" })
        {
            Assert.Equal([id], (await client.SearchAsync($"q={Uri.EscapeDataString(q)}")).Ids());
        }

        Assert.Equal(new[] { id, other }.Order(), (await client.SearchAsync($"q={word}")).Ids().Order());
        var none = await client.SearchAsync($"q={word}+lighthouse");
        Assert.Empty(none.Ids());
        Assert.Equal(0, none.GetProperty("total").GetInt64());
        Assert.Equal("", none.GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task The_last_word_also_matches_as_a_prefix_so_search_works_as_the_user_types()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = $"Flood {word}coverage", ["caption"] = $"{word}harbour at dawn" });
        var other = await client.ImportImageAsync(new JsonObject { ["title"] = $"Flood {word}covenant" });

        // Typing "…cov": both; "…cove": both; "…cover": the first alone.
        Assert.Equal(new[] { id, other }.Order(), (await client.SearchAsync($"q={word}cov")).Ids().Order());
        Assert.Equal([id], (await client.SearchAsync($"q=flood+{word}cover")).Ids());
        // Only the last word is a prefix: earlier ones match whole words.
        Assert.Empty((await client.SearchAsync($"q={word}cov+flood")).Ids());
        Assert.Equal([id], (await client.SearchAsync($"q={word}coverage+{word}harb")).Ids());
        // With accents and case.
        Assert.Equal([id], (await client.SearchAsync($"q=FLOOD+{word}CÖVER")).Ids());

        // Relevance: a prefix in the title counts as the word in the title; newest first within a tier.
        var inCaption = await client.ImportImageAsync(new JsonObject { ["title"] = "Rain", ["caption"] = $"flood {word}coverage" });
        Assert.Equal([other, id, inCaption], (await client.SearchAsync($"q=flood+{word}cov&sort=relevance")).Ids());
    }

    [Fact]
    public async Task The_index_follows_every_write_in_its_transaction()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = $"Lighthouse {word}" });
        Assert.Equal([id], (await client.SearchAsync($"q={word}+lighthouse")).Ids());

        (await client.PatchOpsAsync(id, ApiCalls.SetMetadata("title", $"Windmill {word}"))).EnsureSuccessStatusCode();
        Assert.Empty((await client.SearchAsync($"q={word}+lighthouse")).Ids());
        Assert.Equal([id], (await client.SearchAsync($"q={word}+windmill")).Ids());

        // A PATCH that fails changes nothing, the index included.
        var failed = await client.PatchOpsAsync(id, ApiCalls.SetMetadata("title", $"Castle {word}"), ApiCalls.SetMetadata("priority", 99));
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        Assert.Empty((await client.SearchAsync($"q={word}+castle")).Ids());
        Assert.Equal([id], (await client.SearchAsync($"q={word}+windmill")).Ids());

        // The asset's filename counts as well.
        var replacement = await client.UploadAsync(SampleFiles.Jpeg(40, 30), "Windmühle-am-Deich.jpg");
        (await client.PatchOpsAsync(id, ApiCalls.Op("replaceAsset", ("value", replacement)))).EnsureSuccessStatusCode();
        Assert.Equal([id], (await client.SearchAsync($"q={word}+windmuhle+deich")).Ids());
    }

    [Fact]
    public async Task Filters_by_media_type_state_archived_system_name_and_time()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var active = await client.ImportImageAsync(new JsonObject { ["title"] = $"Active {word}" }, new JsonObject { ["systemName"] = "agency-f", ["externalId"] = word });
        var revoked = await client.ImportImageAsync(new JsonObject { ["title"] = $"Revoked {word}" });
        var flagged = await client.ImportImageAsync(new JsonObject { ["title"] = $"Flagged {word}", ["invalid"] = true });
        var expired = await client.ImportImageAsync(new JsonObject
        {
            ["title"] = $"Expired {word}",
            ["validity"] = new JsonObject { ["from"] = "2020-01-01T00:00:00.000Z", ["to"] = "2021-01-01T00:00:00.000Z" },
        });
        var current = await client.ImportImageAsync(new JsonObject
        {
            ["title"] = $"Current {word}",
            ["validity"] = new JsonObject { ["from"] = "2020-01-01T00:00:00.000+02:00", ["to"] = "2999-01-01T00:00:00.000Z" },
        });
        var archived = await client.ImportImageAsync(new JsonObject { ["title"] = $"Archived {word}" });
        (await client.PatchOpsAsync(revoked, ApiCalls.Op("revokeAsset", ("note", "no rights")))).EnsureSuccessStatusCode();
        (await client.PatchOpsAsync(archived, ApiCalls.Op("archive"))).EnsureSuccessStatusCode();
        var file = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "file",
            ["asset"] = await client.UploadAsync("%PDF-1.4\n%\u00e2\u00e3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"u8.ToArray(), "notes.pdf"),
            ["metadata"] = new JsonObject { ["title"] = $"Notes {word}" },
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;

        async Task<IEnumerable<string>> Find(string filter) => (await client.SearchAsync($"q={word}&{filter}")).Ids().Order();

        Assert.Equal(new[] { active, current, archived, file }.Order(), await Find("state=active"));
        Assert.Equal([revoked], await Find("state=revoked"));
        Assert.Equal(new[] { flagged, expired }.Order(), await Find("state=invalid"));
        Assert.Equal([archived], await Find("archived=true"));
        Assert.DoesNotContain(archived, await Find("archived=false"));
        Assert.Equal([file], await Find("mediaType=file"));
        Assert.Equal([active], await Find("systemName=agency-f"));
        Assert.Equal(6, (await Find("mediaType=image")).Count());

        var entry = await client.GetEntryAsync(expired);
        var createdAt = entry.GetProperty("createdAt").GetString()!;
        Assert.Contains(expired, await Find($"createdAt.gte={Uri.EscapeDataString(createdAt)}"));
        Assert.DoesNotContain(expired, await Find($"createdAt.lt={Uri.EscapeDataString(createdAt)}"));
        Assert.Contains(active, await Find($"createdAt.lt={Uri.EscapeDataString(createdAt)}"));
        Assert.Empty(await Find("updatedAt.lt=2001-01-01"));
        Assert.Equal(7, (await Find("updatedAt.gte=2001-01-01")).Count());

        // Filters without words, and the state the answer shows agrees with the filter.
        var revokedPage = await client.SearchAsync("state=revoked&limit=100");
        Assert.Contains(revoked, revokedPage.Ids());
        Assert.All(revokedPage.GetProperty("results").EnumerateArray(), e => Assert.Equal("revoked", e.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Sorts_by_update_creation_and_relevance()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadImageAsync();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.AddRange(await client.ImportManyAsync(asset, [new JsonObject { ["title"] = $"Picture {i}", ["caption"] = word }]));
            await Task.Delay(5);
        }

        var titled = await client.ImportImageAsync(new JsonObject { ["title"] = $"About {word}" });
        await Task.Delay(5);
        (await client.PatchOpsAsync(ids[1], ApiCalls.SetMetadata("credit", "touched"))).EnsureSuccessStatusCode();

        // Created in order: ids, then titled; ids[1] was updated last.
        Assert.Equal([ids[1], titled, ids[3], ids[2], ids[0]], (await client.SearchAsync($"q={word}")).Ids());
        Assert.Equal([ids[0], ids[2], ids[3], titled, ids[1]], (await client.SearchAsync($"q={word}&sort=updatedAt")).Ids());
        Assert.Equal([.. ids, titled], (await client.SearchAsync($"q={word}&sort=createdAt")).Ids());
        Assert.Equal([titled, ids[3], ids[2], ids[1], ids[0]], (await client.SearchAsync($"q={word}&sort=-createdAt")).Ids());
        // Relevance: the word in the title first, then by updatedAt.
        Assert.Equal([titled, ids[1], ids[3], ids[2], ids[0]], (await client.SearchAsync($"q={word}&sort=relevance")).Ids());
    }

    [Fact]
    public async Task Bad_parameters_are_a_400_naming_each()
    {
        var client = await app.ReaderWriterAsync();
        var page = await client.SearchAsync("q=%21%21%21&mediaType=poster&state=gone&archived=maybe&sort=title&limit=0&createdAt.gte=yesterday", HttpStatusCode.BadRequest);
        Assert.Equal(400, page.GetProperty("status").GetInt32());
        var details = page.GetProperty("error_details");
        foreach (var name in new[] { "q", "mediaType", "state", "archived", "sort", "limit", "createdAt.gte" })
        {
            Assert.True(details.TryGetProperty(name, out _), $"{name} missing in {details}");
        }

        Assert.Contains("known: image, video, file", details.GetProperty("mediaType").GetString());
        Assert.True((await client.SearchAsync("sort=relevance", HttpStatusCode.BadRequest)).GetProperty("error_details").TryGetProperty("sort", out _));
        Assert.True((await client.SearchAsync("limit=101", HttpStatusCode.BadRequest)).GetProperty("error_details").TryGetProperty("limit", out _));
        Assert.True((await client.SearchAsync("q=" + new string('a', 501), HttpStatusCode.BadRequest)).GetProperty("error_details").TryGetProperty("q", out _));
        Assert.True((await client.SearchAsync("q=a&q=b", HttpStatusCode.BadRequest)).GetProperty("error_details").TryGetProperty("q", out _));

        foreach (var cursor in new[] { "nonsense", "eyJWIjoxfQ", new string('A', 8_000), "%%%" })
        {
            var bad = await client.SearchAsync("after=" + Uri.EscapeDataString(cursor), HttpStatusCode.BadRequest);
            Assert.True(bad.GetProperty("error_details").TryGetProperty("after", out _));
        }

        // A cursor of another search (other words, filter or sort) is refused, not misread.
        var word = SearchCalls.Word();
        var asset = await client.UploadImageAsync();
        await client.ImportManyAsync(asset, Enumerable.Range(0, 3).Select(_ => new JsonObject { ["title"] = word }));
        var first = await client.SearchAsync($"q={word}&limit=1");
        var after = Uri.EscapeDataString(first.GetProperty("cursor").GetString()!);
        Assert.Single((await client.SearchAsync($"q={word}&limit=1&after={after}")).Ids());
        await client.SearchAsync($"q={word}+x&limit=1&after={after}", HttpStatusCode.BadRequest);
        await client.SearchAsync($"q={word}&limit=1&state=active&after={after}", HttpStatusCode.BadRequest);
        await client.SearchAsync($"q={word}&limit=1&sort=createdAt&after={after}", HttpStatusCode.BadRequest);

        // A cursor altered by hand fails its check; one forged with the right check but a snapshot
        // this database never gave is a 400 too, never a database error; an old one has expired.
        var real = first.GetProperty("cursor").GetString()!;
        var altered = real[..^2] + (real[^2] == 'A' ? 'B' : 'A') + real[^1];
        await client.SearchAsync($"q={word}&limit=1&after={altered}", HttpStatusCode.BadRequest);
        var filters = new SearchQuery([word], null, null, null, null, null, null, null, null, SearchSort.UpdatedDesc, 1, null).Fingerprint();
        string Forged(string snapshot, DateTimeOffset takenAt) =>
            new SearchCursor(SearchSort.UpdatedDesc, snapshot, takenAt, 0, "2026-01-01T00:00:00.000Z", "someid", 3).Encode(filters);
        // (A snapshot from before everything: every entry here came later, so that page is empty, not an error.)
        Assert.Empty((await client.SearchAsync($"q={word}&limit=1&after={Forged(TestApp.UsePostgres ? "1:2:" : "0", DateTimeOffset.UtcNow)}")).Ids());
        await client.SearchAsync($"q={word}&limit=1&after={Forged("1:2:x'); DROP TABLE media_entries; --", DateTimeOffset.UtcNow)}", HttpStatusCode.BadRequest);
        var expired = Forged(TestApp.UsePostgres ? "1:2:" : "0", DateTimeOffset.UtcNow.AddHours(-25));
        Assert.Contains("expired", (await client.SearchAsync($"q={word}&limit=1&after={expired}", HttpStatusCode.BadRequest)).GetProperty("error_details").GetProperty("after").GetString());

        // Read scope is needed; a token with write only is refused.
        var writer = await app.ClientAsync(MediaLibrary.Clients.Scopes.Write);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/2026-05/search/mediaLibrary")).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("&sort=updatedAt")]
    [InlineData("&sort=-createdAt")]
    [InlineData("&sort=createdAt")]
    [InlineData("&sort=relevance")]
    public async Task Paging_never_skips_or_repeats_an_entry_while_others_write_between_pages(string sort)
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadImageAsync();
        var existing = await client.ImportManyAsync(asset, Enumerable.Range(0, 40).Select(i => new JsonObject
        {
            ["title"] = i % 3 == 0 ? $"{word} {i}" : $"Picture {i}",
            ["caption"] = word,
        }));
        var total = (await client.SearchAsync($"q={word}")).GetProperty("total").GetInt64();
        Assert.Equal(40, total);

        var random = new Random(7);
        var created = new List<string>();
        var seen = await client.AllPagesAsync($"q={word}&limit=6{sort}", async page =>
        {
            // Between pages: new matching entries, and updates to entries already seen and not yet seen
            // (each moves to the other end of an updatedAt order), twice for some.
            created.AddRange(await client.ImportManyAsync(asset, [new JsonObject { ["title"] = $"{word} new {page}" }]));
            foreach (var id in existing.OrderBy(_ => random.Next()).Take(4))
            {
                (await client.PatchOpsAsync(id, ApiCalls.SetMetadata("credit", $"edit {page}"))).EnsureSuccessStatusCode();
            }
        });

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(existing.Except(seen));
        Assert.Empty(seen.Except(existing).Except(created));
    }

    [Fact]
    public async Task Paging_is_complete_while_writers_run_concurrently()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadImageAsync();
        var existing = await client.ImportManyAsync(asset, Enumerable.Range(0, 60).Select(i => new JsonObject { ["title"] = $"{word} {i}" }));

        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var writer = await app.ReaderWriterAsync();
            var random = new Random(w);
            var edits = 0;
            var imports = 0;
            while (!stop.IsCancellationRequested)
            {
                // Bounded: a few hundred writes while the reader pages, not as many as the cores allow
                // (on a loaded machine that made the match set, and so each page, grow without end).
                await Task.Delay(random.Next(1, 4));
                if (random.Next(3) == 0 && imports++ < 40)
                {
                    await writer.ImportManyAsync(asset, [new JsonObject { ["title"] = $"{word} concurrent {w}" }]);
                }
                else
                {
                    (await writer.PatchOpsAsync(existing[random.Next(existing.Count)], ApiCalls.SetMetadata("credit", $"edit {w} {edits++}"))).EnsureSuccessStatusCode();
                }
            }
        })).ToList();

        try
        {
            foreach (var sort in new[] { "", "&sort=updatedAt", "&sort=createdAt" })
            {
                var seen = await client.AllPagesAsync($"q={word}&limit=5{sort}", _ => Task.Delay(5));
                Assert.Equal(seen.Count, seen.Distinct().Count());
                Assert.Empty(existing.Except(seen));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
    }

    [Fact]
    public async Task Total_is_the_first_pages_count_on_every_page()
    {
        var client = await app.ReaderWriterAsync();
        var word = SearchCalls.Word();
        var asset = await client.UploadImageAsync();
        await client.ImportManyAsync(asset, Enumerable.Range(0, 5).Select(_ => new JsonObject { ["title"] = word }));
        var first = await client.SearchAsync($"q={word}&limit=2");
        Assert.Equal(5, first.GetProperty("total").GetInt64());
        await client.ImportManyAsync(asset, [new JsonObject { ["title"] = word }]);
        var second = await client.SearchAsync($"q={word}&limit=2&after={Uri.EscapeDataString(first.GetProperty("cursor").GetString()!)}");
        Assert.Equal(5, second.GetProperty("total").GetInt64());
        Assert.Equal(6, (await client.SearchAsync($"q={word}&limit=2")).GetProperty("total").GetInt64());
    }
}
