using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;
using static MediaLibrary.Tests.Licenses.LicenseCalls;

namespace MediaLibrary.Tests.Licenses;

public sealed class LicenseTests(LicenseApp app) : IClassFixture<LicenseApp>
{
    private static string Tag() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task The_gate_refuses_every_reason_keeps_the_draft_and_leaves_the_publication_and_usage_log_alone()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var none = await client.LicensedImageAsync(null);
        var inHouse = await client.LicensedImageAsync("inHouse");
        var freelancer = await client.LicensedImageAsync("freelancer");
        var restricted = await client.LicensedImageAsync("restricted");

        var first = await client.PublishAsync("gate-" + tag, "regular", inHouse);
        Assert.True(first.GetProperty("ok").GetBoolean(), first.GetRawText());
        var documentId = first.GetProperty("id").GetInt64();

        var refused = await client.PublishAsync("gate-" + tag, "regular", none, inHouse, freelancer, restricted);
        Assert.Equal(documentId, refused.GetProperty("id").GetInt64());
        Assert.Equal(new Dictionary<string, string> { [none] = "noProfile", [restricted] = "approvalRequired" }, Violations(refused));
        Assert.Contains("not published", refused.GetProperty("error_details").GetProperty("message").GetString(), StringComparison.Ordinal);

        // The live publication is the first one; the refused content is the draft (approvals check it).
        var live = await (await client.GetAsync($"/api/{V}/documents/{documentId}/latestPublication")).JsonAsync();
        Assert.Equal(1, live.GetProperty("systemdata").GetProperty("publicationId").GetInt32());
        Assert.Equal(1, live.GetProperty("content").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await client.ApproveAsync(documentId, restricted)).StatusCode);
        foreach (var untouched in new[] { none, freelancer, restricted })
        {
            Assert.Empty(await client.UsageLogAsync(untouched));
        }

        Assert.Single(await client.UsageLogAsync(inHouse));
        var incoming = await client.GetEntryAsync(freelancer, V);
        Assert.Equal(1, incoming.GetProperty("version").GetInt32());

        // print: freelancer has no rule for it; blog documents belong to no purpose.
        Assert.Equal(new Dictionary<string, string> { [freelancer] = "purposeNotCovered" }, Violations(await client.PublishAsync("page-" + tag, "page", freelancer, inHouse)));
        Assert.Equal(new Dictionary<string, string> { [inHouse] = "purposeNotCovered" }, Violations(await client.PublishAsync("blog-" + tag, "blog", inHouse)));

        // A video has no licence property: the gate does not look at it.
        var video = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "video", ["metadata"] = new JsonObject { ["title"] = "Clip" },
            ["asset"] = await client.UploadAsync(SampleFiles.Mp4(64, 48, 1), "clip.mp4"),
        }])).GetProperty("results")[0].GetProperty("id").GetString()!;
        Assert.True((await client.PublishAsync("video-" + tag, "regular", video, freelancer)).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task An_approval_lasts_for_its_document_and_a_confirmed_use_counts_as_one()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var restricted = await client.LicensedImageAsync("restricted");
        var other = await client.LicensedImageAsync("inHouse");
        var refused = await client.PublishAsync("approve-" + tag, "regular", restricted);
        var documentId = refused.GetProperty("id").GetInt64();
        Assert.Equal("approvalRequired", Violations(refused)[restricted]);

        var unreferenced = await (await client.ApproveAsync(documentId, restricted, other)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains(other, unreferenced.GetProperty("mediaIds.1").GetString(), StringComparison.Ordinal);
        await (await client.ApproveAsync(999_999_999, restricted)).AssertEnvelopeAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/{V}/documents/{documentId}/licenseApprovals", Json("""{"mediaIds": []}"""))).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsync($"/api/2026-05/documents/{documentId}/licenseApprovals", Json(new JsonObject { ["mediaIds"] = new JsonArray(restricted) })))
            .AssertEnvelopeAsync(HttpStatusCode.NotFound);
        var reader = await app.ClientAsync(MediaLibrary.Clients.Scopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.ApproveAsync(documentId, restricted)).StatusCode);
        Assert.Equal("approvalRequired", Violations(await client.PublishAsync("approve-" + tag, "regular", restricted))[restricted]);

        var approved = await (await client.ApproveAsync(documentId, restricted, restricted)).JsonAsync();
        Assert.Equal([restricted], approved.GetProperty("approved").EnumerateArray().Select(a => a.GetString()));
        Assert.True((await client.PublishAsync("approve-" + tag, "regular", restricted)).GetProperty("ok").GetBoolean());
        Assert.True((await client.PublishAsync("approve-" + tag, "regular", restricted, other)).GetProperty("ok").GetBoolean());
        // Another document asks again.
        Assert.Equal("approvalRequired", Violations(await client.PublishAsync("approve-other-" + tag, "regular", restricted))[restricted]);

        // A newsletter records its use as confirmed: when the entry later needs approval, that use is one.
        var turned = await client.LicensedImageAsync("inHouse");
        Assert.True((await client.PublishAsync("letter-" + tag, "newsletter", turned)).GetProperty("ok").GetBoolean());
        (await client.PatchAsync(turned, new JsonObject { ["patches"] = new JsonArray(SetMetadata("license", "restricted")) }, V)).EnsureSuccessStatusCode();
        Assert.True((await client.PublishAsync("letter-" + tag, "newsletter", turned)).GetProperty("ok").GetBoolean());
        Assert.Equal("approvalRequired", Violations(await client.PublishAsync("letter-web-" + tag, "regular", turned))[turned]);
    }

    [Fact]
    public async Task The_usage_log_keeps_the_rule_that_applied_and_billing_is_decided_once()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var freelancer = await client.LicensedImageAsync("freelancer");
        var inHouse = await client.LicensedImageAsync("inHouse");
        var agency = await client.LicensedImageAsync("agency");
        Assert.True((await client.PublishAsync("billing-" + tag, "regular", freelancer, inHouse, agency)).GetProperty("ok").GetBoolean());

        var billed = Assert.Single(await client.UsageLogAsync(freelancer));
        Assert.Equal("freelancer", billed.GetProperty("licenseProfile").GetString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"costClass": "low", "billingMode": "always"}"""), JsonNode.Parse(billed.GetProperty("licenseRule").GetRawText())));
        Assert.True(billed.GetProperty("billing").GetBoolean());
        Assert.False(Assert.Single(await client.UsageLogAsync(inHouse)).GetProperty("billing").GetBoolean());
        var open = Assert.Single(await client.UsageLogAsync(agency));
        Assert.False(open.TryGetProperty("billing", out _));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"costClass": "standard"}"""), JsonNode.Parse(open.GetProperty("licenseRule").GetRawText())));
        // 2026-05 answers do not know the fields.
        var old = Assert.Single(await client.UsageLogAsync(agency, "2026-05"));
        Assert.False(old.TryGetProperty("licenseProfile", out _) || old.TryGetProperty("billing", out _) || old.TryGetProperty("licenseRule", out _));

        // Decided once (web is internal: allowed all the same), with a version and an update event.
        var before = (await client.GetEntryAsync(agency, V)).GetProperty("version").GetInt32();
        var decided = await (await client.SetBillingAsync(agency, open.GetProperty("id").GetString()!, true)).JsonAsync();
        Assert.Equal(before + 1, decided.GetProperty("version").GetInt32());
        Assert.True(Assert.Single(await client.UsageLogAsync(agency)).GetProperty("billing").GetBoolean());
        var events = await Events.EventFeed.EventsOfAsync(client, agency, 3);
        Assert.Equal("mediaLibraryEntry.update", events[^1].GetProperty("event").GetString());
        var again = await (await client.SetBillingAsync(agency, open.GetProperty("id").GetString()!, false)).AssertEnvelopeAsync(HttpStatusCode.Conflict);
        Assert.Equal("BillingResolved", again.GetProperty("name").GetString());
        Assert.True(Assert.Single(await client.UsageLogAsync(agency)).GetProperty("billing").GetBoolean());
        await (await client.SetBillingAsync(freelancer, billed.GetProperty("id").GetString()!, false)).AssertEnvelopeAsync(HttpStatusCode.Conflict);

        var unknown = await (await client.SetBillingAsync(agency, "nope1234", true)).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(unknown.TryGetProperty("patches.0.usageLogEntryId", out _), unknown.GetRawText());
        var missing = await (await client.PatchAsync(agency, JsonNode.Parse("""{"patches": [{"operation": "setUsageLogBilling", "usageLogEntryId": "x"}]}""")!, V))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.True(missing.TryGetProperty("patches.0.billing", out _), missing.GetRawText());
        var tooOld = await (await client.PatchAsync(agency, new JsonObject
        {
            ["patches"] = new JsonArray(Op("setUsageLogBilling", ("usageLogEntryId", "x"), ("billing", true))),
        }, "2026-05")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("No enum match", tooOld.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eight_concurrent_billing_decisions_on_one_entry_one_wins()
    {
        var client = await app.ReaderWriterAsync();
        var agency = await client.LicensedImageAsync("agency");
        Assert.True((await client.PublishAsync("race-" + Tag(), "regular", agency)).GetProperty("ok").GetBoolean());
        var logId = Assert.Single(await client.UsageLogAsync(agency)).GetProperty("id").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.SetBillingAsync(agency, logId, i % 2 == 0)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Equal("BillingResolved", (await conflict.AssertEnvelopeAsync(HttpStatusCode.Conflict)).GetProperty("name").GetString());
        }

        Assert.Equal(2, (await client.GetEntryAsync(agency, V)).GetProperty("version").GetInt32() - 1);
    }

    [Fact]
    public async Task The_export_filters_by_billing_and_profile_and_carries_the_licence_columns()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var freelancer = await client.LicensedImageAsync("freelancer");
        var agency = await client.LicensedImageAsync("agency");
        var plain = await client.LicensedImageAsync(null);
        (await client.PatchAsync(plain, new JsonObject { ["patches"] = new JsonArray(SetMetadata("license", "inHouse")) }, V)).EnsureSuccessStatusCode();
        Assert.True((await client.PublishAsync("export-" + tag, "regular", freelancer, agency, plain)).GetProperty("ok").GetBoolean());
        var mine = new HashSet<string> { freelancer, agency, plain };

        async Task<List<JsonElement>> Rows(string query)
        {
            var rows = new List<JsonElement>();
            var cursor = "";
            for (var i = 0; i < 50 && (i == 0 || cursor.Length > 0); i++)
            {
                var page = await (await client.GetAsync($"/api/{V}/usageLog?limit=1000&{query}&after={cursor}")).JsonAsync();
                rows.AddRange(page.GetProperty("results").EnumerateArray().Where(r => mine.Contains(r.GetProperty("mediaId").GetString()!)));
                cursor = page.GetProperty("cursor").GetString()!;
            }

            return rows;
        }

        Assert.Equal([agency], (await Rows("billing=unresolved")).Select(r => r.GetProperty("mediaId").GetString()));
        var billedRow = Assert.Single(await Rows("billing=true"));
        Assert.Equal(freelancer, billedRow.GetProperty("mediaId").GetString());
        Assert.Equal(("freelancer", "low", "always", true), (billedRow.GetProperty("licenseProfile").GetString(), billedRow.GetProperty("costClass").GetString(),
            billedRow.GetProperty("billingMode").GetString(), billedRow.GetProperty("billing").GetBoolean()));
        Assert.Equal([plain], (await Rows("billing=false&licenseProfile=inHouse")).Select(r => r.GetProperty("mediaId").GetString()));
        Assert.Empty(await Rows("billing=true&licenseProfile=agency"));
        var bad = await (await client.GetAsync($"/api/{V}/usageLog?billing=maybe")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("unresolved", bad.GetProperty("billing").GetString(), StringComparison.Ordinal);

        using var csv = new HttpRequestMessage(HttpMethod.Get, $"/api/{V}/usageLog?licenseProfile=freelancer");
        csv.Headers.Accept.ParseAdd("text/csv");
        var lines = (await (await client.SendAsync(csv)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",params,billing,licenseProfile,costClass,billingMode", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(freelancer, StringComparison.Ordinal) && l.EndsWith(",true,freelancer,low,always", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.Contains(",freelancer,", l, StringComparison.Ordinal));

        using var older = new HttpRequestMessage(HttpMethod.Get, "/api/2026-05/usageLog?billing=true");
        older.Headers.Accept.ParseAdd("text/csv");
        var oldHeader = (await (await client.SendAsync(older)).Content.ReadAsStringAsync()).Split("\r\n")[0];
        Assert.EndsWith(",publicationId,params", oldHeader, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_finds_entries_by_profile_and_by_the_purpose_their_profile_covers()
    {
        var client = await app.ReaderWriterAsync();
        var word = "lic" + Tag();
        var inHouse = await client.LicensedImageAsync("inHouse", word);
        var freelancer = await client.LicensedImageAsync("freelancer", word);
        var agency = await client.LicensedImageAsync("agency", word);
        await client.LicensedImageAsync(null, word);

        async Task<List<string>> Search(string filters) => await Waits.UntilAsync(
            async () => (await (await client.GetAsync($"/api/{V}/search/mediaLibrary?q={word}&{filters}")).JsonAsync())
                .GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order().ToList(),
            _ => true, TimeSpan.FromSeconds(1), "search");

        await Waits.UntilAsync(() => Search(""), ids => ids.Count == 4, TimeSpan.FromSeconds(10), "the four entries in the index");
        Assert.Equal([freelancer], await Search("licenseProfile=freelancer"));
        Assert.Equal([inHouse], await Search("licensePurpose=print"));
        Assert.Equal(new[] { agency, inHouse }.Order(), await Search("licensePurpose=newsletter"));
        Assert.Equal([agency], await Search("licensePurpose=newsletter&licenseProfile=agency"));
        Assert.Empty(await Search("licensePurpose=print&licenseProfile=agency"));
        var bad = await (await client.GetAsync($"/api/{V}/search/mediaLibrary?licensePurpose=radio")).AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("No enum match", bad.GetProperty("licensePurpose").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_must_be_configured_to_be_set()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.LicensedImageAsync(null);
        var details = await (await client.PatchAsync(id, new JsonObject { ["patches"] = new JsonArray(SetMetadata("license", "pirate")) }, V))
            .AssertEnvelopeAsync(HttpStatusCode.BadRequest);
        Assert.Contains("inHouse, freelancer, agency, restricted", details.GetProperty("patches.0.value").GetString(), StringComparison.Ordinal);
        var imported = (await client.ImportAsync([new JsonObject
        {
            ["mediaType"] = "image", ["asset"] = await client.UploadImageAsync(), ["metadata"] = new JsonObject { ["title"] = "x", ["license"] = 5 },
        }])).GetProperty("results")[0];
        Assert.Equal(400, imported.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("""[{"handle": "a", "rules": {"web": {"costClass": "free"}}}, {"handle": "a", "rules": {}}]""", "license profile 'a' is defined twice")]
    [InlineData("""[{"handle": "b", "rules": {"radio": {"costClass": "free"}}}]""", "license profile 'b', rule 'radio': 'radio' is not a configured usage purpose")]
    [InlineData("""[{"handle": "c", "rules": {"web": {"costClass": "cheap"}}}]""", "license profile 'c', rule 'web': \"costClass\" must be one of")]
    [InlineData("""[{"handle": "d", "rules": {"web": {"costClass": "low", "billingMode": "sometimes"}}}]""", "license profile 'd', rule 'web': \"billingMode\" must be")]
    [InlineData("""[{"handle": "e", "color": "red", "rules": {}}]""", "license profile 'e': \"color\" must be a colour")]
    [InlineData("""[{"handle": "f", "approvalRequired": "yes", "rules": {}}]""", "license profile 'f': \"approvalRequired\" must be true or false")]
    public async Task A_bad_profile_stops_the_start_naming_it(string profiles, string message)
    {
        var settings = app.Settings();
        settings["MediaLibrary:MediaTypesFile"] = await LicenseApp.WriteConfigAsync(app.DataDirectory, profiles, name: $"bad-{Tag()}.json");

        var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_removed_from_the_config_is_unknown_at_the_next_publish_and_old_snapshots_stay()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var freelancer = await client.LicensedImageAsync("freelancer");
        Assert.True((await client.PublishAsync("removed-" + tag, "regular", freelancer)).GetProperty("ok").GetBoolean());

        var profiles = JsonNode.Parse(LicenseApp.Profiles)!.AsArray();
        profiles.Remove(profiles.First(p => p!["handle"]!.GetValue<string>() == "freelancer"));
        var settings = app.Settings();
        settings["MediaLibrary:MediaTypesFile"] = await LicenseApp.WriteConfigAsync(app.DataDirectory, profiles.ToJsonString(), name: $"removed-{tag}.json");
        await using var other = await ServiceProcess.StartAsync(settings);
        using var otherClient = other.Client(await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read, MediaLibrary.Clients.Scopes.Write]));

        Assert.Equal(new Dictionary<string, string> { [freelancer] = "unknownProfile" }, Violations(await otherClient.PublishAsync("removed-" + tag, "regular", freelancer)));
        var kept = Assert.Single(await otherClient.UsageLogAsync(freelancer));
        Assert.Equal("freelancer", kept.GetProperty("licenseProfile").GetString());
        Assert.Equal("always", kept.GetProperty("licenseRule").GetProperty("billingMode").GetString());
        Assert.True(kept.GetProperty("billing").GetBoolean());
    }

    [Fact]
    public async Task The_gate_holds_when_two_processes_publish_documents_referencing_the_same_entries()
    {
        var client = await app.ReaderWriterAsync();
        var tag = Tag();
        var restricted = await client.LicensedImageAsync("restricted");
        var shared = await client.LicensedImageAsync("inHouse");
        var approvedDoc = (await client.PublishAsync($"two-{tag}-approved", "regular", restricted, shared)).GetProperty("id").GetInt64();
        (await client.ApproveAsync(approvedDoc, restricted)).EnsureSuccessStatusCode();

        await using var other = await ServiceProcess.StartAsync(app.Settings());
        using var otherClient = other.Client(await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read, MediaLibrary.Clients.Scopes.Write]));

        // Both processes publish the approved document and twelve unapproved ones with the same entries;
        // meanwhile `shared` turns restricted.
        var publishes = Enumerable.Range(0, 12).SelectMany(i => new[]
        {
            (i % 2 == 0 ? client : otherClient).PublishAsync($"two-{tag}-{i}", "regular", shared, restricted),
            (i % 2 == 0 ? otherClient : client).PublishAsync($"two-{tag}-approved", "regular", restricted, shared),
        }).ToList();
        var turn = client.PatchAsync(shared, new JsonObject { ["patches"] = new JsonArray(SetMetadata("license", "restricted")) }, V);
        var results = await Task.WhenAll(publishes);
        (await turn).EnsureSuccessStatusCode();

        for (var i = 0; i < results.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Equal("approvalRequired", Violations(results[i])[restricted]);
            }
            else
            {
                Assert.True(results[i].GetProperty("ok").GetBoolean() || !Violations(results[i]).ContainsKey(restricted), results[i].GetRawText());
            }
        }

        // Only the approved document ever recorded a use of the restricted entry, and every use of
        // `shared` was recorded while it was in-house (after the turn it needs an approval for it).
        // (Once `shared` turned, the approved document is refused too: it has no approval for `shared`.)
        var restrictedUses = (await client.UsageLogAsync(restricted)).Select(r => r.GetProperty("documentId").GetInt64()).ToList();
        Assert.All(restrictedUses, d => Assert.Equal(approvedDoc, d));
        Assert.Equal(results.Where((r, i) => i % 2 == 1 && r.GetProperty("ok").GetBoolean()).Any() ? 1 : 0, restrictedUses.Count);
        Assert.All(await client.UsageLogAsync(shared), r => Assert.Equal("inHouse", r.GetProperty("licenseProfile").GetString()));
        Assert.Equal("approvalRequired", Violations(await client.PublishAsync($"two-{tag}-approved", "regular", restricted, shared))[shared]);
    }
}

public sealed class UngatedLicenseTests(UngatedLicenseApp app) : IClassFixture<UngatedLicenseApp>
{
    [Fact]
    public async Task With_the_gate_off_nothing_is_blocked_and_the_rule_is_still_recorded()
    {
        var client = await app.ReaderWriterAsync();
        var none = await client.LicensedImageAsync(null);
        var restricted = await client.LicensedImageAsync("restricted");
        var freelancer = await client.LicensedImageAsync("freelancer");

        var page = await client.PublishAsync("open-page-" + Guid.NewGuid().ToString("N")[..6], "page", freelancer);
        Assert.True(page.GetProperty("ok").GetBoolean(), page.GetRawText());
        var web = await client.PublishAsync("open-web-" + Guid.NewGuid().ToString("N")[..6], "regular", none, restricted);
        Assert.True(web.GetProperty("ok").GetBoolean(), web.GetRawText());

        var used = Assert.Single(await client.UsageLogAsync(restricted));
        Assert.Equal("restricted", used.GetProperty("licenseProfile").GetString());
        Assert.Equal("high", used.GetProperty("licenseRule").GetProperty("costClass").GetString());
        Assert.False(used.TryGetProperty("billing", out _));
        var noRule = Assert.Single(await client.UsageLogAsync(freelancer));
        Assert.Equal("freelancer", noRule.GetProperty("licenseProfile").GetString());
        Assert.False(noRule.TryGetProperty("licenseRule", out _));
        Assert.False(Assert.Single(await client.UsageLogAsync(none)).TryGetProperty("licenseProfile", out _));
    }
}
