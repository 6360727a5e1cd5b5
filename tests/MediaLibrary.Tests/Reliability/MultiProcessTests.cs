using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Entries;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Reliability;

/// Two API processes on different loopback ports sharing one database and one blob store.
public sealed class MultiProcessTests(SixteenPropertiesApp app) : IClassFixture<SixteenPropertiesApp>
{
    private async Task<(ServiceProcess A, ServiceProcess B, HttpClient[] Clients)> StartPairAsync()
    {
        var a = await ServiceProcess.StartAsync(app.Settings());
        var b = await ServiceProcess.StartAsync(app.Settings());
        var token = await app.CreateTokenAsync([Scopes.Read, Scopes.Write]);
        var clients = new[] { a.Client(), b.Client() };
        foreach (var client in clients)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return (a, b, clients);
    }

    [Fact]
    public async Task Patches_imports_and_revocations_agree_across_two_processes()
    {
        var (a, b, clients) = await StartPairAsync();
        await using (a)
        await using (b)
        {
            var id = await clients[0].ImportImageAsync(new JsonObject());

            var sameVersion = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
                clients[i % 2].PatchAsync(id, new JsonObject { ["version"] = 1, ["patches"] = new JsonArray(SetMetadata($"p{i}", "x")) })));
            Assert.Equal(1, sameVersion.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(15, sameVersion.Count(r => r.StatusCode == HttpStatusCode.Conflict));

            var noVersion = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => clients[i % 2].PatchOpsAsync(id, SetMetadata($"p{i}", $"writer {i}"))));
            Assert.All(noVersion, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            var entry = await clients[1].GetEntryAsync(id);
            Assert.Equal(18, entry.GetProperty("version").GetInt32());
            Assert.All(Enumerable.Range(0, 16), i => Assert.Equal($"writer {i}", entry.GetProperty("metadata").GetProperty($"p{i}").GetString()));

            var asset = await clients[0].UploadImageAsync();
            var imports = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => clients[i % 2].ImportAsync(
                new JsonArray([.. Enumerable.Range(0, 10).Select(_ => (JsonNode)new JsonObject { ["mediaType"] = "image", ["asset"] = asset.DeepClone(), ["metadata"] = new JsonObject() })]))));
            var ids = imports.SelectMany(r => r.GetProperty("results").EnumerateArray()).Select(r => r.GetProperty("id").GetString()).ToList();
            Assert.Equal(80, ids.Distinct().Count());

            var key = entry.GetProperty("asset").GetProperty("key").GetString();
            Assert.Equal(HttpStatusCode.OK, (await clients[1].GetAsync($"/api/2026-03/mediaLibrary/serve-image/{key}")).StatusCode);
            await clients[0].PatchOpsAsync(id, Op("revokeAsset"));
            Assert.Equal(HttpStatusCode.Forbidden, (await clients[1].GetAsync($"/api/2026-03/mediaLibrary/serve-image/{key}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_token_revoked_with_the_cli_is_refused_by_every_process_within_five_seconds()
    {
        var (a, b, clients) = await StartPairAsync();
        await using (a)
        await using (b)
        {
            var name = "shared-" + Guid.NewGuid().ToString("N")[..6];
            var token = await app.CreateTokenAsync([Scopes.Read], name: name);
            foreach (var client in clients)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/2026-03/mediaLibrary/x")).StatusCode);
            }

            var revoke = await ServiceProcess.RunAsync(app.Settings(), "token", "revoke", "--name", name);
            Assert.Equal(0, revoke.ExitCode);
            var revokedAt = DateTime.UtcNow;
            foreach (var client in clients)
            {
                while ((await client.GetAsync("/api/2026-03/mediaLibrary/x")).StatusCode != HttpStatusCode.Unauthorized)
                {
                    Assert.True(DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(5), "a process still accepts the revoked token after 5 s");
                    await Task.Delay(100);
                }
            }
        }
    }
}
