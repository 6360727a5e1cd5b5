using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using DbUp;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Storage;

/// A database as the previous release left it: the schema up to migration 0004 and an entry that
/// two documents and one media entry link to. The service must upgrade it at start and keep working.
public sealed class SchemaAt0004App : TestApp
{
    public const string EntryId = "old-entry";

    protected override async Task PrepareDatabaseAsync()
    {
        await using var connection = await MigrationTests.MigrateToAsync(this, 4);
        var json = UsePostgres ? "::jsonb" : "";
        var (no, now) = UsePostgres ? ("FALSE", "now()") : ("0", "'2026-01-02T03:04:05.678Z'");
        await connection.ExecuteAsync(
            $"""
            INSERT INTO media_entries (id, version, media_type, revoked, archived, asset, metadata, translations, created_at, updated_at)
            VALUES ('{EntryId}', 3, 'image', {no}, {no},
                    '{"{"}"key":"2026/01/02/old.jpg","size":10,"width":4,"height":3,"mimeType":"image/jpeg","filename":"old.jpg"{"}"}'{json},
                    '{"{"}"title":"From the old schema"{"}"}'{json}, '[]'{json}, {now}, {now});
            INSERT INTO media_entry_keys (key, entry_id, mime_type, size) VALUES ('2026/01/02/old.jpg', '{EntryId}', 'image/jpeg', 10);
            INSERT INTO reference_counts (target_id, source_kind, sources) VALUES ('{EntryId}', 'document', 2), ('{EntryId}', 'media', 1);
            """);
    }
}

public sealed class MigrationTests(SchemaAt0004App app) : IClassFixture<SchemaAt0004App>
{
    private static readonly Regex Numbered = new(@"\.(\d{4})_[a-z0-9_]+\.sql$");

    public static int Number(string resource) => int.Parse(Numbered.Match(resource).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// Runs the app's migrations up to `last` on its database; an open connection to it.
    public static async Task<DbConnection> MigrateToAsync(TestApp app, int last)
    {
        var prefix = $"MediaLibrary.Storage.Migrations.{(TestApp.UsePostgres ? "Postgres" : "Sqlite")}.";
        Directory.CreateDirectory(app.DataDirectory);
        var connectionString = TestApp.UsePostgres ? app.ConnectionString! : new SqliteConnectionStringBuilder { DataSource = app.SqlitePath }.ToString();
        var builder = TestApp.UsePostgres ? DeployChanges.To.PostgresqlDatabase(connectionString) : DeployChanges.To.SqliteDatabase(connectionString);
        var result = builder
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal) && Number(name) <= last)
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);

        DbConnection connection = TestApp.UsePostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public void Both_databases_number_their_migrations_alike_without_gaps()
    {
        var resources = typeof(Migrator).Assembly.GetManifestResourceNames().Where(n => n.Contains(".Migrations.", StringComparison.Ordinal)).ToList();
        Assert.All(resources, r => Assert.Matches(Numbered, r));
        var sqlite = resources.Where(r => r.Contains(".Sqlite.", StringComparison.Ordinal)).Select(Number).Order().ToList();
        var postgres = resources.Where(r => r.Contains(".Postgres.", StringComparison.Ordinal)).Select(Number).Order().ToList();

        Assert.Equal(sqlite, postgres);
        Assert.Equal(Enumerable.Range(1, sqlite.Count), sqlite);
    }

    [Fact]
    public async Task A_database_of_the_previous_schema_is_upgraded_at_start_and_keeps_its_data()
    {
        var client = await app.ReaderWriterAsync();

        var entry = await client.GetEntryAsync(SchemaAt0004App.EntryId);
        Assert.Equal("From the old schema", entry.GetProperty("metadata").GetProperty("title").GetString());
        Assert.Equal(3, entry.GetProperty("version").GetInt32());
        Assert.Equal(2, entry.GetProperty("usage").GetProperty("documents").GetInt32());
        Assert.Equal(1, entry.GetProperty("usage").GetProperty("media").GetInt32());

        var patched = await client.PatchOpsAsync(SchemaAt0004App.EntryId, SetMetadata("caption", "after the upgrade"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(4, (await client.GetEntryAsync(SchemaAt0004App.EntryId)).GetProperty("version").GetInt32());
        Assert.Equal(["2026/01/02/old.jpg"], (await (await client.GetAsync($"/api/2026-03/mediaLibrary/{SchemaAt0004App.EntryId}/keys")).JsonAsync())
            .GetProperty("results").EnumerateArray().Select(k => k.GetString()));
    }
}

/// A database as session 5 left it (migration 0010): a webhook's deliveries were created by a
/// dispatcher up to `event_dispatch`. Event 1 was dispatched (and delivered); event 2 was not yet.
public sealed class SchemaAt0010App : WebhookApp
{
    protected override string Configurations => """[{"handle": "upgraded", "url": "{url}/upgraded", "events": ["mediaLibraryEntry.revoke"]}]""";

    protected override async Task PrepareDatabaseAsync()
    {
        await using var connection = await MigrationTests.MigrateToAsync(this, 10);
        var now = UsePostgres ? "now()" : "'2026-11-29T03:04:05.678Z'";
        await connection.ExecuteAsync(
            $"""
            INSERT INTO events (position, name, media_id, media_type, version, actor_type, actor_name, created_at)
            VALUES (1, 'mediaLibraryEntry.revoke', 'dispatched-before', 'image', 2, 'api-client', 'old', {now}),
                   (2, 'mediaLibraryEntry.revoke', 'not-yet-dispatched', 'image', 2, 'api-client', 'old', {now});
            UPDATE event_dispatch SET position = 1;
            INSERT INTO webhook_deliveries (id, event_id, webhook, url, body, state, attempts, next_attempt_at, created_at, delivered_at)
            VALUES ('dlv_000000000000000000000001', 1, 'upgraded', 'http://127.0.0.1:9/old', '{"{}"}', 'delivered', 1, {now}, {now}, {now});
            """);
    }
}

public sealed class WebhookStreamMigrationTests(SchemaAt0010App app) : IClassFixture<SchemaAt0010App>
{
    [Fact]
    public async Task A_webhook_continues_after_the_upgrade_where_the_old_dispatcher_stopped()
    {
        var client = await app.ReaderWriterAsync();
        await app.Receiver.WaitUntilAsync(r => r.Count > 0, TimeSpan.FromSeconds(10), "the first delivery after the upgrade");

        // The marker: a revoke made after the upgrade, once the first delivery has arrived. The
        // stream sends in event order, so event 1 sent again would arrive before it.
        var marker = await client.ImportImageAsync();
        (await client.PatchOpsAsync(marker, Op("revokeAsset"))).EnsureSuccessStatusCode();
        await app.Receiver.WaitUntilAsync(r => r.Any(x => MediaId(x) == marker), TimeSpan.FromSeconds(10), "the marker revoke");

        Assert.Equal(["not-yet-dispatched", marker], app.Receiver.Requests.Select(MediaId));
        var received = app.Receiver.Requests.First();
        var body = System.Text.Json.JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("not-yet-dispatched", body.GetProperty("mediaId").GetString());
        Assert.Equal(2, body.GetProperty("eventId").GetInt64());
        Assert.StartsWith("dlv_0000000000000002", received.DeliveryId, StringComparison.Ordinal);
    }

    private static string MediaId(WebhookReceiver.Received r) => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("mediaId").GetString()!;
}


/// A database as session 10 left it (migration 0012): a document published three entries and was
/// then unpublished (its references are gone, its publication keeps the content), and an entry's
/// usage log records a publication. Migration 0013 must count all of them as ever published.
public sealed class SchemaAt0012App : TestApp
{
    public static readonly string[] Published = ["in-directive", "in-metadata", "in-reference", "in-usage-log"];

    protected override async Task PrepareDatabaseAsync()
    {
        await using var connection = await MigrationTests.MigrateToAsync(this, 12);
        var json = UsePostgres ? "::jsonb" : "";
        var (no, now) = UsePostgres ? ("FALSE", "now()") : ("0", "'2026-11-29T03:04:05.678Z'");
        var entries = string.Join(",\n", Published.Append("never-published").Select(id =>
            $"('{id}', 1, 'image', {no}, {no}, '{"{"}\"key\":\"2026/11/29/{id}.jpg\",\"size\":10,\"width\":4,\"height\":3,\"mimeType\":\"image/jpeg\",\"filename\":\"a.jpg\"{"}"}'{json}, '{"{}"}'{json}, '[]'{json}, {now}, {now})"));
        await connection.ExecuteAsync(
            $"""
            INSERT INTO media_entries (id, version, media_type, revoked, archived, asset, metadata, translations, created_at, updated_at)
            VALUES {entries};
            INSERT INTO documents (id, system_name, external_id, content_type, metadata, content, created_at, updated_at)
            VALUES (1, 'cms', 'gone', 'regular', '{"{}"}'{json}, '[]'{json}, {now}, {now});
            INSERT INTO publications (document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date)
            VALUES (1, 2, {no}, 'regular',
                    '{"{"}"teaser":{"{"}"mediaId":"in-metadata"{"}"},"video":{"{"}"$ref":"video","reference":{"{"}"id":"in-reference"{"}"}{"}"}{"}"}'{json},
                    '[{"{"}"id":"c1","component":"image","content":{"{"}"image":{"{"}"mediaId":"in-directive"{"}"}{"}"}{"}"}]'{json}, {now}, {now});
            INSERT INTO usage_log (id, entry_id, purpose, state, params, document_id, publication_id, publication_date, reporting_date)
            VALUES ('ul-1', 'in-usage-log', 'web', 'confirmed', '{"{}"}', 7, 1, {now}, {now});
            """);
    }
}

public sealed class PublishedBackfillMigrationTests(SchemaAt0012App app) : IClassFixture<SchemaAt0012App>
{
    [Fact]
    public async Task Entries_published_before_the_upgrade_stay_in_use_after_it()
    {
        var client = await app.ClientAsync(MediaLibrary.Clients.Scopes.Read, MediaLibrary.Clients.Scopes.Write);
        foreach (var id in SchemaAt0012App.Published)
        {
            var details = await (await client.DeleteAsync($"/api/2026-07/mediaLibrary/{id}")).AssertEnvelopeAsync(HttpStatusCode.Conflict);
            Assert.True(details.GetProperty("usage").GetProperty("published").GetBoolean(), id);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync("/api/2026-07/mediaLibrary/never-published")).StatusCode);
    }
}
