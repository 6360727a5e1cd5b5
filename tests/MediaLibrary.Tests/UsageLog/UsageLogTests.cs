using System.Net;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Events;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;
using static MediaLibrary.Tests.UsageLog.UsageLogCalls;

namespace MediaLibrary.Tests.UsageLog;

public sealed class UsageLogTests(UsageLogApp app) : IClassFixture<UsageLogApp>
{
    [Fact]
    public async Task Older_versions_know_neither_the_route_nor_the_operations()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();

        await (await client.GetAsync($"/api/2026-03/mediaLibrary/{id}/usageLog")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/api/2026-03/usageLog")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        var old = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(Add("print", new JsonObject { ["page"] = 1 })) }, "2026-03"))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith("No enum match for: \"addUsageLogEntry\" (known: setMetadataProperty", old.GetProperty("patches.0.operation").GetString());
        Assert.Empty(await client.LogAsync(id));
        Assert.Equal(1, (await client.GetEntryAsync(id)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Adding_an_entry_records_who_and_when_bumps_the_version_and_emits_an_update()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();

        var response = await client.PatchLogAsync(id, Add("print", new JsonObject { ["page"] = 3, ["edition"] = "Morning" }, "confirmed", "2026-05-04T06:00:00+02:00", "https://paper.example/p3"));

        Assert.Equal(2, (await response.JsonAsync()).GetProperty("version").GetInt32());
        var entry = Assert.Single(await client.LogAsync(id));
        Assert.Matches("^[A-Za-z0-9]{8}$", entry.GetProperty("id").GetString());
        Assert.Equal("print", entry.GetProperty("purpose").GetString());
        Assert.Equal("confirmed", entry.GetProperty("state").GetString());
        Assert.Equal("""{"page":3,"edition":"Morning"}""", entry.GetProperty("params").GetRawText());
        Assert.Equal("https://paper.example/p3", entry.GetProperty("url").GetString());
        Assert.Equal("2026-05-04T04:00:00.000Z", entry.GetProperty("publicationDate").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entry.GetProperty("reportingDate").GetString());
        Assert.StartsWith("test-", entry.GetProperty("reportedBy").GetString(), StringComparison.Ordinal);
        Assert.False(entry.TryGetProperty("documentId", out _));
        var events = await client.EventsOfAsync(id, 2);
        Assert.Equal(["mediaLibraryEntry.create", "mediaLibraryEntry.update"], events.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(2, events[1].GetProperty("version").GetInt32());

        var pending = await client.PatchLogAsync(id, Add("print", new JsonObject { ["page"] = 4 }));
        Assert.Equal(HttpStatusCode.OK, pending.StatusCode);
        var log = await client.LogAsync(id);
        Assert.Equal(2, log.Count);
        Assert.Equal("pending", log[1].GetProperty("state").GetString());
    }

    public static TheoryData<string, string, string> BadValues => new()
    {
        { """{"purpose": "radio"}""", "patches.0.value.purpose", "No enum match for: \"radio\" (known: print, newsletter)" },
        { """{"purpose": "web"}""", "patches.0.value.purpose", "'web' is an internal purpose: its entries are recorded by the service, not through PATCH" },
        { """{"purpose": "print"}""", "patches.0.value.params.page", "is required" },
        { """{"purpose": "print", "params": {"page": 0}}""", "patches.0.value.params.page", "must be at least 1" },
        { """{"purpose": "print", "params": {"page": 2, "colour": true}}""", "patches.0.value.params.colour", "is not a parameter of purpose 'print' (known: page, edition)" },
        { """{"purpose": "newsletter", "state": "confirmed"}""", "patches.0.value.publicationDate", "is required when the state is confirmed" },
        { """{"purpose": "newsletter", "state": "done"}""", "patches.0.value.state", "No enum match for: \"done\" (known: pending, confirmed)" },
        { """{"purpose": "newsletter", "publicationDate": "Tue, 14 May 2026"}""", "patches.0.value.publicationDate", "must be a date and time like \"2026-05-14T09:19:00.000Z\"" },
        { """{"purpose": "newsletter", "reportedBy": "me"}""", "patches.0.value.reportedBy", "is not an allowed property" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task A_bad_value_is_400_naming_the_field_and_changes_nothing(string value, string path, string message)
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();

        var details = await (await client.PatchLogAsync(id, Op("addUsageLogEntry", ("value", JsonNode.Parse(value))))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);

        Assert.Equal(message, details.GetProperty(path).GetString());
        Assert.Empty(await client.LogAsync(id));
        Assert.Equal(1, (await client.GetEntryAsync(id)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Update_compares_old_value_and_remove_deletes_atomically_with_the_other_operations()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchLogAsync(id, Add("print", new JsonObject { ["page"] = 1 }));
        var logged = Assert.Single(await client.LogAsync(id));
        var logId = logged.GetProperty("id").GetString()!;
        var newValue = new JsonObject { ["state"] = "confirmed", ["purpose"] = "print", ["publicationDate"] = "2026-05-10T05:00:00.000Z", ["params"] = new JsonObject { ["page"] = 2 } };

        // A stale oldValue: 409, and the metadata change in the same request is not made either.
        var stale = ValueOf(logged);
        stale["params"]!["page"] = 9;
        var conflict = await (await client.PatchLogAsync(id, SetMetadata("caption", "changed"),
            Op("updateUsageLogEntry", ("usageLogEntryId", logId), ("value", newValue.DeepClone()), ("oldValue", stale)))).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal(1, conflict.GetProperty("currentValue").GetProperty("params").GetProperty("page").GetInt32());
        var entry = await client.GetEntryAsync(id, V);
        Assert.Equal(2, entry.GetProperty("version").GetInt32());
        Assert.False(entry.GetProperty("metadata").TryGetProperty("caption", out _));

        var updated = await client.PatchLogAsync(id, Op("updateUsageLogEntry", ("usageLogEntryId", logId), ("value", newValue.DeepClone()), ("oldValue", ValueOf(logged))));
        Assert.Equal(3, (await updated.JsonAsync()).GetProperty("version").GetInt32());
        var after = Assert.Single(await client.LogAsync(id));
        Assert.Equal(logId, after.GetProperty("id").GetString());
        Assert.Equal("confirmed", after.GetProperty("state").GetString());
        Assert.Equal(logged.GetProperty("reportingDate").GetString(), after.GetProperty("reportingDate").GetString());

        // The same value again changes nothing: no new version.
        var same = await client.PatchLogAsync(id, Op("updateUsageLogEntry", ("usageLogEntryId", logId), ("value", newValue.DeepClone())));
        Assert.Equal(3, (await same.JsonAsync()).GetProperty("version").GetInt32());

        var unknown = await (await client.PatchLogAsync(id, Op("removeUsageLogEntry", ("usageLogEntryId", "nope")))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Equal("the entry has no usage log entry 'nope'", unknown.GetProperty("patches.0.usageLogEntryId").GetString());

        var removed = await client.PatchLogAsync(id, Op("removeUsageLogEntry", ("usageLogEntryId", logId)));
        Assert.Equal(4, (await removed.JsonAsync()).GetProperty("version").GetInt32());
        Assert.Empty(await client.LogAsync(id));
        var events = await client.EventsOfAsync(id, 4);
        Assert.Equal(3, events.Count(e => e.GetProperty("event").GetString() == "mediaLibraryEntry.update"));
    }

    [Fact]
    public async Task Of_eight_concurrent_updates_with_the_same_old_value_exactly_one_wins()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchLogAsync(id, Add("print", new JsonObject { ["page"] = 1 }));
        var logged = Assert.Single(await client.LogAsync(id));
        var logId = logged.GetProperty("id").GetString()!;

        var statuses = await Task.WhenAll(Enumerable.Range(2, 8).Select(async page =>
        {
            var value = new JsonObject { ["state"] = "pending", ["purpose"] = "print", ["params"] = new JsonObject { ["page"] = page } };
            var response = await client.PatchLogAsync(id, Op("updateUsageLogEntry", ("usageLogEntryId", logId), ("value", value), ("oldValue", ValueOf(logged))));
            return (page, response.StatusCode);
        }));

        var winner = Assert.Single(statuses, s => s.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, statuses.Count(s => s.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(winner.page, Assert.Single(await client.LogAsync(id)).GetProperty("params").GetProperty("page").GetInt32());
        Assert.Equal(3, (await client.GetEntryAsync(id, V)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Publishing_records_each_referenced_entry_once_and_unpublishing_keeps_the_log()
    {
        var client = await app.ReaderWriterAsync();
        var first = await client.ImportImageAsync();
        var second = await client.ImportImageAsync();
        var external = "story-" + Guid.NewGuid().ToString("N")[..8];
        var document = DocumentCalls.Document(external, publish: true,
            DocumentCalls.ImageComponent("a", first), DocumentCalls.ImageComponent("b", second), DocumentCalls.ImageComponent("c", first), DocumentCalls.ImageComponent("d", "missing-entry"));

        var documentId = await client.ImportDocumentAsync(document);

        foreach (var id in new[] { first, second })
        {
            var entry = Assert.Single(await client.LogAsync(id));
            Assert.Equal("web", entry.GetProperty("purpose").GetString());
            Assert.Equal("pending", entry.GetProperty("state").GetString());
            Assert.Equal(documentId, entry.GetProperty("documentId").GetInt64());
            Assert.Equal(1, entry.GetProperty("publicationId").GetInt64());
            Assert.Equal(entry.GetProperty("reportingDate").GetString(), entry.GetProperty("publicationDate").GetString());
            Assert.Equal(2, (await client.GetEntryAsync(id, V)).GetProperty("version").GetInt32());
        }

        var events = await client.EventsOfAsync(first, 2);
        Assert.Equal("mediaLibraryEntry.update", events[1].GetProperty("event").GetString());

        // Publishing again adds nothing, and unpublishing keeps the log (it is a legal record).
        await client.ImportDocumentAsync(DocumentCalls.Document(external, publish: true, DocumentCalls.ImageComponent("a", first)));
        Assert.Single(await client.LogAsync(first));
        Assert.Equal(2, (await client.GetEntryAsync(first, V)).GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/{V}/documents/{documentId}/unpublish", null)).StatusCode);
        Assert.Single(await client.LogAsync(first));

        // An internal purpose's entry cannot be changed through PATCH.
        var logId = (await client.LogAsync(first))[0].GetProperty("id").GetString();
        var refused = await (await client.PatchLogAsync(first, Op("removeUsageLogEntry", ("usageLogEntryId", logId)))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Equal($"'{logId}' is of the internal purpose 'web': it cannot be changed through PATCH", refused.GetProperty("patches.0.usageLogEntryId").GetString());
    }

    [Fact]
    public async Task A_purpose_can_record_publications_as_confirmed()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        var document = DocumentCalls.Document("nl-" + Guid.NewGuid().ToString("N")[..8], publish: true, DocumentCalls.ImageComponent("a", id));
        document["contentType"] = "newsletter";

        await client.ImportDocumentAsync(document);

        var entry = Assert.Single(await client.LogAsync(id));
        Assert.Equal("newsletter", entry.GetProperty("purpose").GetString());
        Assert.Equal("confirmed", entry.GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_log_of_an_unknown_entry_is_404()
    {
        var client = await app.ReaderWriterAsync();
        await (await client.GetAsync($"/api/{V}/mediaLibrary/nope/usageLog")).AssertEnvelopeAsync(HttpStatusCode.NotFound);
    }
}
