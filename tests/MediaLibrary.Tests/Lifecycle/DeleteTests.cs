using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using MediaLibrary.Tests.Search;
using MediaLibrary.Tests.UsageLog;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Lifecycle;

/// DELETE /mediaLibrary/{id} (SPEC §14): what it refuses, what it removes, and what it keeps.
public sealed class DeleteTests(LifecycleApp app) : IClassFixture<LifecycleApp>
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Deleting_an_unused_entry_takes_it_its_keys_and_its_bytes_and_frees_its_id_and_external_id()
    {
        var client = await app.ReaderWriterAsync();
        var id = NewId("gone");
        var external = NewId("agency");
        var word = SearchCalls.Word();
        var (_, key) = await client.ImportWithKeyAsync(new JsonObject { ["id"] = id, ["systemName"] = "agency", ["externalId"] = external }, caption: word);
        Assert.Equal([id], (await client.SearchAsync($"q={word}")).Ids());
        var serve = $"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{key}";
        var variantsBefore = (await app.KeysAsync()).Where(k => k.StartsWith("_variants/", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(serve)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(serve + "?w=32")).StatusCode);
        var variants = (await app.KeysAsync()).Where(k => k.StartsWith("_variants/", StringComparison.Ordinal) && !variantsBefore.Contains(k)).ToList();
        Assert.Single(variants);

        var response = await client.DeleteEntryAsync(id);
        Assert.Equal(200, (await response.JsonAsync()).GetProperty("status").GetInt32());

        // From the commit on: every read of it is 404.
        var missing = await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("NotFound", missing.GetProperty("name").GetString());
        await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}/keys")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.PatchOpsAsync(id, SetMetadata("credit", "x"))).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync(serve)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync(serve + "?w=32")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.DeleteEntryAsync(id)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Empty((await client.SearchAsync($"q={word}")).Ids());

        // The event carries every key: afterwards nobody can ask.
        var deleted = (await client.EventsOfAsync(id, 2)).Last();
        Assert.Equal("mediaLibraryEntry.delete", deleted.GetProperty("event").GetString());
        Assert.Equal([key], deleted.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!));
        Assert.Equal(1, deleted.GetProperty("version").GetInt32());

        // The bytes and the rendered variant leave the store, and the erasure queue empties.
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(key) && !keys.Contains(variants[0]), TimeSpan.FromSeconds(20), "the blob and its variant to be erased");
        Assert.Null(await app.ReadAsync(key));

        // The id and the (systemName, externalId) pair start again at version 1.
        var again = await client.ImportWithKeyAsync(new JsonObject { ["id"] = id, ["systemName"] = "agency", ["externalId"] = external });
        Assert.Equal(id, again.Id);
        var entry = await client.GetEntryAsync(id, LifecycleCalls.V);
        Assert.Equal(1, entry.GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/serve-image/{again.Key}")).StatusCode);
    }

    [Fact]
    public async Task Delete_is_from_2026_07_needs_the_write_scope_and_checks_its_parameters_and_version()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportWithKeyAsync();

        var old = await (await client.DeleteEntryAsync(id, version: "2026-05")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        Assert.Equal("/api/:apiVersion/mediaLibrary/:id", old.GetProperty("url").GetString());
        using var anonymous = app.CreateClient();
        await (await anonymous.DeleteEntryAsync(id)).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        var reader = await app.ClientAsync(Scopes.Read);
        await (await reader.DeleteEntryAsync(id)).AssertEnvelopeAsync(HttpStatusCode.Forbidden);

        var bad = await (await client.DeleteEntryAsync(id, "version=first&force=maybe")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Equal("must be a positive whole number", bad.GetProperty("version").GetString());
        Assert.Equal("must be true or false", bad.GetProperty("force").GetString());

        var stale = await (await client.DeleteEntryAsync(id, "version=2")).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal(2, stale.GetProperty("expectedVersion").GetInt32());
        Assert.Equal(1, stale.GetProperty("currentVersion").GetInt32());
        Assert.Equal(1, (await client.GetEntryAsync(id, LifecycleCalls.V)).GetProperty("version").GetInt32());

        await (await client.DeleteEntryAsync("no-such-entry")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        (await client.DeleteEntryAsync(id, "version=1")).EnsureSuccessStatusCode();
        await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_archived_entry_is_in_use_until_unarchived()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportWithKeyAsync();
        (await client.PatchOpsAsync(id, Op("archive"))).EnsureSuccessStatusCode();

        var usage = await InUseAsync(client, id);
        Assert.True(usage.GetProperty("archived").GetBoolean());
        Assert.Equal(0, usage.GetProperty("documents").GetInt32());
        Assert.Equal(0, usage.GetProperty("mediaLibraryEntries").GetInt32());
        Assert.Equal(0, usage.GetProperty("usageLog").GetInt32());
        Assert.False(usage.GetProperty("published").GetBoolean());

        // `unarchive` is ours, from 2026-07.
        var unknown = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("unarchive")) }, "2026-05")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith("No enum match for: \"unarchive\"", unknown.GetProperty("patches.0.operation").GetString());
        var unarchived = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("unarchive")) }, LifecycleCalls.V)).JsonAsync();
        Assert.Equal(3, unarchived.GetProperty("version").GetInt32());
        Assert.False((await client.GetEntryAsync(id, LifecycleCalls.V)).GetProperty("archived").GetBoolean());
        // A second unarchive changes nothing: no version, no event.
        var noop = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Op("unarchive")) }, LifecycleCalls.V)).JsonAsync();
        Assert.Equal(3, noop.GetProperty("version").GetInt32());
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.archive", "mediaLibraryEntry.unarchive"],
            (await client.EventsOfAsync(id, 3)).Select(e => e.GetProperty("event").GetString()!));

        (await client.DeleteEntryAsync(id)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task An_entry_another_entry_links_to_is_in_use_until_the_link_goes()
    {
        var client = await app.ReaderWriterAsync();
        var (target, _) = await client.ImportWithKeyAsync();
        var (source, _) = await client.ImportWithKeyAsync();
        (await client.PatchOpsAsync(source, SetMetadata("relatedImage", new JsonObject { ["mediaId"] = target }))).EnsureSuccessStatusCode();

        Assert.Equal(1, (await InUseAsync(client, target)).GetProperty("mediaLibraryEntries").GetInt32());

        // Deleting the source takes its links with it: the target is free.
        (await client.DeleteEntryAsync(source)).EnsureSuccessStatusCode();
        (await client.DeleteEntryAsync(target)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task An_entry_a_document_published_stays_in_use_after_the_unpublish()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportWithKeyAsync();
        var document = await client.ImportDocumentAsync(DocumentCalls.Document(NewId("story"), publish: true, DocumentCalls.ImageComponent("c1", id)));

        var usage = await InUseAsync(client, id);
        Assert.Equal(1, usage.GetProperty("documents").GetInt32());
        Assert.True(usage.GetProperty("published").GetBoolean());

        (await client.PostAsync($"/api/{LifecycleCalls.V}/documents/{document}/unpublish", null)).EnsureSuccessStatusCode();
        usage = await InUseAsync(client, id);
        Assert.Equal(0, usage.GetProperty("documents").GetInt32());
        Assert.True(usage.GetProperty("published").GetBoolean());
    }

    [Fact]
    public async Task An_entry_with_usage_log_entries_is_in_use_and_an_erasure_needs_its_own_scope()
    {
        var client = await app.ReaderWriterAsync();
        var (id, key) = await client.ImportWithKeyAsync();
        (await client.PatchLogAsync(id, UsageLogCalls.Add("print", new JsonObject { ["page"] = 3 }))).EnsureSuccessStatusCode();
        Assert.Equal(1, (await InUseAsync(client, id)).GetProperty("usageLog").GetInt32());

        var denied = await (await client.DeleteEntryAsync(id, "force=true")).AssertEnvelopeAsync(HttpStatusCode.Forbidden);
        Assert.Equal("The request requires higher privileges", denied.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).StatusCode);

        var eraser = await app.EraserAsync();
        (await eraser.DeleteEntryAsync(id, "force=true")).EnsureSuccessStatusCode();
        await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await Waits.UntilAsync(app.KeysAsync, keys => !keys.Contains(key), TimeSpan.FromSeconds(20), "the erased entry's blob to leave the store");

        // The usage log is a legal record: it stays, exported with the entry's id.
        var export = await (await client.GetAsync($"/api/{UsageLogCalls.V}/usageLog?purpose=print&limit=1000")).JsonAsync();
        Assert.Contains(export.GetProperty("results").EnumerateArray(), e => e.GetProperty("mediaId").GetString() == id);
    }

    [Fact]
    public async Task Token_create_gives_the_erase_scope_and_it_erases_an_archived_entry()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportWithKeyAsync();
        (await client.PatchOpsAsync(id, Op("archive"))).EnsureSuccessStatusCode();

        var created = await ServiceProcess.RunAsync(app.Settings(), "token", "create", "--name", NewId("legal"), "--scopes", "public-api:write,public-api:erase");
        Assert.True(created.ExitCode == 0, created.Stderr);
        using var legal = app.CreateClient();
        legal.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", created.Stdout.Trim());
        await (await legal.DeleteEntryAsync(id)).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal(200, (await (await legal.DeleteEntryAsync(id, "force=true")).JsonAsync()).GetProperty("status").GetInt32());
        await (await client.GetAsync($"/api/{LifecycleCalls.V}/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deleting_the_same_entry_twice_at_once_deletes_it_once()
    {
        var client = await app.ReaderWriterAsync();
        var (id, _) = await client.ImportWithKeyAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.DeleteEntryAsync(id)));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.NotFound, a.StatusCode));
        Assert.Single(await client.EventsOfAsync(id, 2), e => e.GetProperty("event").GetString() == "mediaLibraryEntry.delete");
    }

    /// A delete refused because the entry is in use: the 409 names the usage, and nothing changed.
    private static async Task<JsonElement> InUseAsync(HttpClient client, string id)
    {
        var before = await client.GetEntryAsync(id, LifecycleCalls.V);
        var details = (await (await client.DeleteEntryAsync(id)).AssertEnvelopeAsync(HttpStatusCode.Conflict));
        Assert.Equal("EntryInUse", details.GetProperty("name").GetString());
        Assert.Contains("is in use", details.GetProperty("message").GetString());
        var after = await client.GetEntryAsync(id, LifecycleCalls.V);
        Assert.Equal(before.GetProperty("version").GetInt32(), after.GetProperty("version").GetInt32());
        Assert.DoesNotContain(await client.EventsOfAsync(id, 0), e => e.GetProperty("event").GetString() == "mediaLibraryEntry.delete");
        return details.GetProperty("usage");
    }
}
