using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Licenses;

/// The service with licence profiles (SPEC §15) and the gate on: images carry their profile in
/// `license`. `regular` documents are `web` (internal), `page` documents `print`, `newsletter`
/// documents `newsletter` (recorded as confirmed); `blog` documents belong to no purpose.
public class LicenseApp : TestApp
{
    public const string Purposes = """
        [{"handle": "web", "label": {"en": "Web"}, "internal": true, "contentType": ["regular"]},
         {"handle": "print", "label": {"en": "Print"}, "contentType": ["page"]},
         {"handle": "newsletter", "label": {"en": "Newsletter"}, "contentType": ["newsletter"], "recordAs": "confirmed"}]
        """;

    public const string Profiles = """
        [{"handle": "inHouse", "label": {"en": "In-House"}, "color": "#2fb181", "approvalRequired": false,
          "rules": {"web": {"costClass": "free", "billingMode": "never"}, "print": {"costClass": "free", "billingMode": "never"},
                    "newsletter": {"costClass": "free", "billingMode": "never"}}},
         {"handle": "freelancer", "label": {"en": "Freelancer"}, "color": "#e0b32d", "approvalRequired": false,
          "rules": {"web": {"costClass": "low", "billingMode": "always"}}},
         {"handle": "agency", "label": {"en": "Agency"}, "color": "#3060c0",
          "rules": {"web": {"costClass": "standard"}, "newsletter": {"costClass": "standard"}}},
         {"handle": "restricted", "label": {"en": "Restricted"}, "color": "#d94f4f", "approvalRequired": true,
          "rules": {"web": {"costClass": "high"}, "newsletter": {"costClass": "high", "billingMode": "always"}}}]
        """;

    protected virtual bool Enabled => true;

    public override async Task InitializeAsync()
    {
        Overrides["MediaLibrary:MediaTypesFile"] = await WriteConfigAsync(DataDirectory, Profiles, Enabled);
        await base.InitializeAsync();
    }

    /// The shipped media types, images with a `license` property, the purposes above and these profiles.
    public static async Task<string> WriteConfigAsync(string folder, string profiles, bool enabled = true, string name = "project.json")
    {
        // ProjectConfig writes project.json: a folder of its own, so a bad config never replaces the app's.
        var scratch = Directory.CreateDirectory(Path.Combine(folder, "configs", Guid.NewGuid().ToString("N"))).FullName;
        var path = await ProjectConfig.WriteAsync(scratch, ("usagePurposes", Purposes),
            ("licenseProfiles", new JsonObject { ["enabled"] = enabled, ["profiles"] = JsonNode.Parse(profiles) }.ToJsonString()));
        var config = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var image = config["mediaTypes"]!.AsArray().First(t => t!["handle"]!.GetValue<string>() == "image")!;
        image["metadata"]!.AsArray().Add(new JsonObject { ["handle"] = "license", ["type"] = "li-license-profile" });
        var file = Path.Combine(folder, name);
        await File.WriteAllTextAsync(file, config.ToJsonString());
        return file;
    }
}

/// The same profiles with the gate off: nothing is blocked, usage is still recorded with its rule.
public sealed class UngatedLicenseApp : LicenseApp
{
    protected override bool Enabled => false;
}

public static class LicenseCalls
{
    public const string V = "2026-07";

    /// An image with this licence profile (none when null).
    public static Task<string> LicensedImageAsync(this HttpClient client, string? profile, string title = "Harbour at dawn")
    {
        var metadata = new JsonObject { ["title"] = title };
        if (profile is not null)
        {
            metadata["license"] = profile;
        }

        return client.ImportImageAsync(metadata);
    }

    /// Imports one document of `contentType` referencing the entries, published; its result item.
    public static async Task<JsonElement> PublishAsync(this HttpClient client, string externalId, string contentType, params string[] mediaIds)
    {
        var document = DocumentCalls.Document(externalId, publish: true, [.. mediaIds.Select((id, i) => DocumentCalls.ImageComponent($"c{i}", id))]);
        document["contentType"] = contentType;
        return (await client.ImportDocumentsAsync("cms", [document], V)).GetProperty("results")[0];
    }

    public static async Task<List<JsonElement>> UsageLogAsync(this HttpClient client, string id, string version = V) =>
        [.. (await (await client.GetAsync($"/api/{version}/mediaLibrary/{id}/usageLog")).JsonAsync()).GetProperty("results").EnumerateArray()];

    public static Task<HttpResponseMessage> ApproveAsync(this HttpClient client, long documentId, params string[] mediaIds) =>
        client.PostAsync($"/api/{V}/documents/{documentId}/licenseApprovals", Json(new JsonObject { ["mediaIds"] = new JsonArray([.. mediaIds.Select(m => (JsonNode)m)]) }));

    public static Task<HttpResponseMessage> SetBillingAsync(this HttpClient client, string id, string usageLogEntryId, bool billing) =>
        client.PatchAsync(id, new JsonObject
        {
            ["patches"] = new JsonArray(Op("setUsageLogBilling", ("usageLogEntryId", usageLogEntryId), ("billing", billing))),
        }, V);

    /// The reasons of a LicenseViolation item, by media id.
    public static Dictionary<string, string> Violations(JsonElement item)
    {
        Assert.False(item.GetProperty("ok").GetBoolean(), item.GetRawText());
        Assert.Equal(400, item.GetProperty("status").GetInt32());
        Assert.Equal("LicenseViolation", item.GetProperty("error").GetString());
        return item.GetProperty("error_details").GetProperty("violations").EnumerateArray()
            .ToDictionary(v => v.GetProperty("mediaId").GetString()!, v => v.GetProperty("reason").GetString()!);
    }
}
