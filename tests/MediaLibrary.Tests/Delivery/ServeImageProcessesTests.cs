using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Delivery;

/// Two API processes on one database: a change made through one stops (or resumes) delivery by
/// the other on its very next request, whatever that one remembered of the key (on SQLite it keeps
/// lookups while the database's change number stays the same).
public sealed class ServeImageProcessesTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_revoke_or_an_invalid_flag_written_by_one_process_is_refused_at_once_by_another()
    {
        var writer = await app.ReaderWriterAsync();
        var token = await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Read]);
        await using var other = await ServiceProcess.StartAsync(app.Settings());
        using var reader = other.Client();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var asset = await writer.UploadAsync(SampleFiles.DecodableJpeg(64, 48), "quay.jpg");
        var id = await writer.ImportImageAsync(new JsonObject { ["title"] = "Quay" }, new JsonObject { ["asset"] = asset });
        var other2 = await writer.ImportImageAsync(new JsonObject { ["title"] = "Other" });
        var path = $"/api/2026-05/mediaLibrary/serve-image/{asset["key"]}";

        // Warm: the other process has looked the key up (original and a variant) several times.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path + "?w=32")).StatusCode);
        }

        (await writer.PatchOpsAsync(id, Op("revokeAsset"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(path + "?w=32")).StatusCode);

        (await writer.PatchOpsAsync(id, Op("unrevokeAsset"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path + "?w=32")).StatusCode);

        // A write to another entry changes nothing for this key; the next one to this entry does.
        (await writer.PatchOpsAsync(other2, SetMetadata("credit", "x"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
        (await writer.PatchOpsAsync(id, SetMetadata("invalid", true))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(path + "?w=32")).StatusCode);

        // And the same through the other process itself.
        using var otherWriter = other.Client();
        otherWriter.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([MediaLibrary.Clients.Scopes.Write]));
        (await otherWriter.PatchAsync($"/api/2026-05/mediaLibrary/{id}", Json(new JsonObject { ["patches"] = new JsonArray(SetMetadata("invalid", null)) }))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await writer.GetAsync(path)).StatusCode);
        (await otherWriter.PatchAsync($"/api/2026-05/mediaLibrary/{id}", Json(new JsonObject { ["patches"] = new JsonArray(Op("revokeAsset")) }))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync(path)).StatusCode);
    }
}
