using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Documents;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Api;

public sealed class UncachedTokensApp : TestApp
{
    public UncachedTokensApp() => Overrides["MediaLibrary:TokenCacheSeconds"] = "0";
}

/// Every route × every kind of caller: the expected 401, 403 or success for each pair.
public sealed class AuthMatrixTests(UncachedTokensApp app) : IClassFixture<UncachedTokensApp>
{
    private sealed record Route(string Name, string Scope, Func<Fixture, HttpRequestMessage> Request);

    /// A route any valid token may call, whatever its scopes.
    private const string AnyScope = "*";

    private sealed record Fixture(string EntryId, string Key, long DocumentId);

    private static readonly Route[] Routes =
    [
        new("get entry", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary/{f.EntryId}")),
        new("list entries", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary?ids={f.EntryId}")),
        new("entry keys", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary/{f.EntryId}/keys")),
        new("serve image", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary/serve-image/{f.Key}")),
        new("head image", Scopes.Read, f => new(HttpMethod.Head, $"/api/2026-03/mediaLibrary/serve-image/{f.Key}")),
        new("incoming documents", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary/{f.EntryId}/incomingDocumentReferences")),
        new("incoming media", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/mediaLibrary/{f.EntryId}/incomingMediaReferences")),
        new("latest publication", Scopes.Read, f => new(HttpMethod.Get, $"/api/2026-03/documents/{f.DocumentId}/latestPublication")),
        new("patch entry", Scopes.Write, f => new(HttpMethod.Patch, $"/api/2026-03/mediaLibrary/{f.EntryId}")
        {
            Content = Json("""{"patches": [{"operation": "setMetadataProperty", "propertyName": "caption", "value": "auth matrix"}]}"""),
        }),
        new("import entries", Scopes.Write, f => new(HttpMethod.Post, "/api/2026-03/import/mediaLibrary")
        {
            Content = Json("""{"mediaLibraryEntries": []}"""),
        }),
        new("upload", Scopes.Write, _ => new(HttpMethod.Post, "/api/2026-03/mediaLibrary/assets?filename=a.png") { Content = new ByteArrayContent(SampleFiles.Png(2, 2)) }),
        new("import documents", Scopes.Write, _ => new(HttpMethod.Post, "/api/2026-03/import/documents")
        {
            Content = Json(new JsonObject { ["systemName"] = "auth", ["documents"] = new JsonArray(DocumentCalls.Document("matrix", publish: false)) }),
        }),
        new("unpublish", Scopes.Write, f => new(HttpMethod.Post, $"/api/2026-03/documents/{f.DocumentId}/unpublish")),
        new("me", AnyScope, _ => new(HttpMethod.Get, "/api/2026-07/me")),
    ];

    [Fact]
    public async Task Every_route_answers_each_kind_of_caller_as_expected()
    {
        var setup = await app.ReaderWriterAsync();
        var entryId = await setup.ImportImageAsync();
        var key = (await setup.GetEntryAsync(entryId)).GetProperty("asset").GetProperty("key").GetString()!;
        var documentId = await setup.ImportDocumentAsync(DocumentCalls.Document("auth-doc", publish: true));
        var fixture = new Fixture(entryId, key, documentId);

        var revokedName = "revoked-" + Guid.NewGuid().ToString("N")[..6];
        var revoked = await app.CreateTokenAsync([Scopes.Read, Scopes.Write], name: revokedName);
        await app.Services.GetRequiredService<ApiClients>().RevokeAsync(revokedName, CancellationToken.None);
        var callers = new (string Name, string? Token, string[] Scopes)[]
        {
            ("no token", null, []),
            ("garbage", "ml_garbage", []),
            ("expired", await app.CreateTokenAsync([Scopes.Read, Scopes.Write], DateTimeOffset.UtcNow.AddSeconds(-1)), []),
            ("revoked", revoked, []),
            ("read-only", await app.CreateTokenAsync([Scopes.Read]), [Scopes.Read]),
            ("write-only", await app.CreateTokenAsync([Scopes.Write]), [Scopes.Write]),
            ("read+write", await app.CreateTokenAsync([Scopes.Read, Scopes.Write]), [Scopes.Read, Scopes.Write]),
        };

        var failures = new List<string>();
        var checkedPairs = 0;
        foreach (var (caller, token, scopes) in callers)
        {
            foreach (var route in Routes)
            {
                var client = app.CreateClient();
                if (token is not null)
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                // Unpublish last for each caller that may, so latestPublication stays answerable before it.
                var status = (int)(await client.SendAsync(route.Request(fixture))).StatusCode;
                var expected = scopes.Length == 0 ? "401" : route.Scope == AnyScope || scopes.Contains(route.Scope) ? "2xx" : "403";
                var ok = expected switch { "2xx" => status is >= 200 and < 300, _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture) == expected };
                if (!ok)
                {
                    failures.Add($"{caller} × {route.Name}: expected {expected}, got {status}");
                }

                checkedPairs++;
                if (route.Name == "unpublish" && ok && expected == "2xx")
                {
                    await setup.ImportDocumentAsync(DocumentCalls.Document("auth-doc", publish: true));
                }
            }
        }

        Assert.Equal(callers.Length * Routes.Length, checkedPairs);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
