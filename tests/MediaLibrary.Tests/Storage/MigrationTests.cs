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
        var folder = UsePostgres ? "Postgres" : "Sqlite";
        var prefix = $"MediaLibrary.Storage.Migrations.{folder}.";
        Directory.CreateDirectory(DataDirectory);
        var connectionString = UsePostgres ? ConnectionString! : new SqliteConnectionStringBuilder { DataSource = SqlitePath }.ToString();
        var builder = UsePostgres ? DeployChanges.To.PostgresqlDatabase(connectionString) : DeployChanges.To.SqliteDatabase(connectionString);
        var result = builder
            .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal) && MigrationTests.Number(name) <= 4)
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);

        await using DbConnection connection = UsePostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();
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
