using System.Net;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MediaLibrary.Tests.Api;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_needs_no_token_and_reports_503_while_the_database_is_gone_then_recovers()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var client = app.CreateClient();

        var ok = await (await client.GetAsync("/healthz")).JsonAsync();
        Assert.Equal("ok", ok.GetProperty("status").GetString());
        Assert.Equal(TestApp.UsePostgres ? "postgres" : "sqlite", ok.GetProperty("database").GetString());

        await using (await DatabaseOutageAsync(app))
        {
            var details = await (await client.GetAsync("/healthz")).AssertEnvelopeAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("ServiceUnavailable", details.GetProperty("name").GetString());
            // Liveness does no I/O: the process is alive even while its database is not.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/live")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Openapi_document_and_reference_page_need_no_token()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var client = app.CreateClient();

        var openApi = await (await client.GetAsync("/openapi/v1.json")).JsonAsync();
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/api/{apiVersion}/mediaLibrary/{id}", out var entryPath));
        var parameters = entryPath.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("apiVersion", parameters);
        Assert.Contains("id", parameters);
        Assert.True(openApi.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));

        var page = await client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);

        // Works offline and offers nothing hosted elsewhere: no CDN fonts, no telemetry, no AI
        // agent or MCP, no developer toolbar (SDK generation, deploy); nothing but relative URLs.
        var html = await page.Content.ReadAsStringAsync();
        foreach (var setting in new[] { "\"withDefaultFonts\":false", "\"telemetry\":false", "\"showDeveloperTools\":\"never\"", "\"agent\":{\"disabled\":true}", "\"mcp\":{\"disabled\":true}" })
        {
            Assert.Contains(setting, html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        // Examples on the latest version; short operation names in the sidebar.
        var version = entryPath.GetProperty("get").GetProperty("parameters")[0];
        Assert.Equal(MediaLibrary.Api.ApiVersion.All[^1].Name, version.GetProperty("schema").GetProperty("default").GetString());
        Assert.Equal(MediaLibrary.Api.ApiVersion.All[^1].Name, version.GetProperty("example").GetString());
        Assert.Equal("Get media library entry", entryPath.GetProperty("get").GetProperty("summary").GetString());
        var summaries = openApi.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Where(o => o.Value.TryGetProperty("summary", out _)).Select(o => o.Value.GetProperty("summary").GetString()!).ToList();
        Assert.All(summaries, s => Assert.True(s.Length <= 40, s));
    }

    /// Makes the database unreachable until disposed: PostgreSQL refuses connections to it;
    /// the SQLite file is moved away and a directory stands in its place.
    public static async Task<IAsyncDisposable> DatabaseOutageAsync(TestApp app)
    {
        if (TestApp.UsePostgres)
        {
            var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
            await AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS false");
            await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
            NpgsqlConnection.ClearAllPools();
            return new Restore(() => AdminAsync($"ALTER DATABASE {database} ALLOW_CONNECTIONS true"));
        }

        var file = Path.Combine(app.DataDirectory, "medialibrary.db");
        SqliteConnection.ClearAllPools();
        File.Move(file, file + ".away");
        Directory.CreateDirectory(file);
        return new Restore(() =>
        {
            Directory.Delete(file);
            File.Move(file + ".away", file);
            return Task.CompletedTask;
        });
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestApp.PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class Restore(Func<Task> restore) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await restore();
    }
}
