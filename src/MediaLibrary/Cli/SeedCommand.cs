using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Assets;
using MediaLibrary.Search;
using MediaLibrary.Storage;

namespace MediaLibrary.Cli;

/// `seed --entries N --documents M`: fills an empty library with a realistic one for benchmarks,
/// through the bulk path (COPY on PostgreSQL, prepared inserts on SQLite). Entry ids are
/// `seed0000000`…; every tenth entry has translations; document n links ten entries, and every
/// second document also links the hot entry `seed0000000`.
internal static class SeedCommand
{
    public const string HotEntry = "seed0000000";
    public const string SampleKey = "seed/sample.jpg";

    public static async Task<int> RunAsync(int entries, int documents, IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync(ct);
        if (await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM media_entries", cancellationToken: ct)) > 0)
        {
            await Console.Error.WriteLineAsync("seed fills an empty library; this one has entries already.");
            return 1;
        }

        await StoreSampleAsync(services.GetRequiredService<IBlobStore>(), ct);
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await BulkWriter.WriteAsync(connection, "media_entries", EntryColumns, Entries(entries, now), ct);
        await BulkWriter.WriteAsync(connection, "media_entry_keys", KeyColumns,
            Enumerable.Range(0, entries).Select(i => new object?[] { $"seed/{Id(i)}.jpg", Id(i), "image/jpeg", 21000L, Sha, now }), ct);
        var entrySeconds = clock.Elapsed.TotalSeconds;
        await Console.Error.WriteLineAsync($"seeded {entries} entries in {entrySeconds:0.0} s ({entries / entrySeconds:0} entries/s)");
        if (services.GetRequiredService<SearchIndexer>() is { Enabled: true } indexer)
        {
            // SQLite indexes search words after the commit: the library is searchable when seed ends.
            clock.Restart();
            await indexer.CatchUpAsync(ct);
            await Console.Error.WriteLineAsync($"indexed {entries} entries for search in {clock.Elapsed.TotalSeconds:0.0} s");
        }

        if (documents > 0)
        {
            clock.Restart();
            var random = new Random(42);
            var targets = Enumerable.Range(0, documents).Select(n => Targets(n, entries, random)).ToArray();
            await BulkWriter.WriteAsync(connection, "documents", DocumentColumns,
                Enumerable.Range(1, documents).Select(n => new object?[] { (long)n, "seed", $"doc-{n}", "regular", $"Story {n}", "{}", Content(targets[n - 1]), now, now }), ct);
            await BulkWriter.WriteAsync(connection, "publications", PublicationColumns,
                Enumerable.Range(1, documents).Select(n => new object?[] { (long)n, 1, true, "regular", "{}", Content(targets[n - 1]), now, now }), ct);
            await BulkWriter.WriteAsync(connection, "document_references", ReferenceColumns,
                Enumerable.Range(1, documents).SelectMany(n => targets[n - 1].Select((target, k) =>
                    new object?[] { target, (long)n, k, "directive", $"c{k}", "image", "image", null })), ct);
            await connection.ExecuteAsync(
                "INSERT INTO reference_counts (target_id, source_kind, sources) " +
                "SELECT target_id, 'document', COUNT(DISTINCT document_id) FROM document_references GROUP BY target_id");
            if (database.Provider == DatabaseProvider.Postgres)
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT setval(pg_get_serial_sequence('documents', 'id'), @documents)", new { documents = (long)documents }, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition("ANALYZE media_entries, media_entry_keys, documents, publications, document_references, reference_counts", cancellationToken: ct));
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var references = targets.Sum(t => t.Length);
            await Console.Error.WriteLineAsync(
                $"seeded {documents} published documents with {references} references in {seconds:0.0} s ({documents / seconds:0} documents/s, {references / seconds:0} references/s)");
        }

        return 0;
    }

    private const string Sha = "6b86b273ff34fce19c6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b";

    private static string Id(int i) => "seed" + i.ToString("D7", CultureInfo.InvariantCulture);

    private static readonly (string, BulkType)[] EntryColumns =
    [
        ("id", BulkType.Text), ("version", BulkType.SmallNumber), ("media_type", BulkType.Text), ("system_name", BulkType.Text), ("external_id", BulkType.Text),
        ("revoked", BulkType.Boolean), ("archived", BulkType.Boolean), ("asset", BulkType.Json), ("metadata", BulkType.Json), ("translations", BulkType.Json),
        ("created_at", BulkType.Timestamp), ("updated_at", BulkType.Timestamp),
    ];

    private static readonly (string, BulkType)[] KeyColumns =
        [("key", BulkType.Text), ("entry_id", BulkType.Text), ("mime_type", BulkType.Text), ("size", BulkType.BigNumber), ("sha256", BulkType.Text), ("added_at", BulkType.Timestamp)];

    private static readonly (string, BulkType)[] DocumentColumns =
    [
        ("id", BulkType.BigNumber), ("system_name", BulkType.Text), ("external_id", BulkType.Text), ("content_type", BulkType.Text), ("title", BulkType.Text),
        ("metadata", BulkType.Json), ("content", BulkType.Json), ("created_at", BulkType.Timestamp), ("updated_at", BulkType.Timestamp),
    ];

    private static readonly (string, BulkType)[] PublicationColumns =
    [
        ("document_id", BulkType.BigNumber), ("publication_id", BulkType.SmallNumber), ("live", BulkType.Boolean), ("content_type", BulkType.Text),
        ("metadata", BulkType.Json), ("content", BulkType.Json), ("first_publication_date", BulkType.Timestamp), ("last_publication_date", BulkType.Timestamp),
    ];

    private static readonly (string, BulkType)[] ReferenceColumns =
    [
        ("target_id", BulkType.Text), ("document_id", BulkType.BigNumber), ("ordinal", BulkType.SmallNumber), ("kind", BulkType.Text),
        ("component_id", BulkType.Text), ("component_name", BulkType.Text), ("directive_name", BulkType.Text), ("property_name", BulkType.Text),
    ];

    private static IEnumerable<object?[]> Entries(int count, DateTimeOffset now)
    {
        for (var i = 0; i < count; i++)
        {
            var id = Id(i);
            var asset = $$"""{"key":"seed/{{id}}.jpg","size":21000,"width":1600,"height":900,"mimeType":"image/jpeg","filename":"{{id}}.jpg","sha256":"{{Sha}}"}""";
            var rich = i % 10 == 0;
            // One of 100 photographers per entry: a word that finds 1 % of the library (the search benchmark's query).
            var photographer = Photographer(i);
            var metadata = rich
                ? $$"""{"title":"Harbour {{i}}","caption":"Boats in the harbour at dawn, picture {{i}}","credit":"Agency X / {{photographer}}","tags":["harbour","dawn","boats"]}"""
                : $$"""{"title":"Picture {{i}}","credit":"{{photographer}}"}""";
            var translations = rich ? $$$"""[{"locale":"fr","metadata":{"title":"Port {{{i}}}"}},{"locale":"de","metadata":{"title":"Hafen {{{i}}}"}}]""" : "[]";
            yield return [id, 1, "image", "seed", $"ext-{i}", false, false, asset, metadata, translations, now, now];
        }
    }

    private static readonly string[] FirstSyllables = ["Ka", "Lo", "Mi", "Ne", "Ro", "Sa", "Ti", "Va", "Wu", "Zo"];
    private static readonly string[] LastSyllables = ["berg", "dahl", "feld", "holm", "lund", "mark", "ness", "rud", "strand", "vik"];

    /// Kaberg, Lodahl, …: 100 names, entry i has name i % 100.
    public static string Photographer(int i) => FirstSyllables[i % 10] + LastSyllables[i / 10 % 10];

    private static string[] Targets(int document, int entries, Random random)
    {
        var targets = new string[10];
        for (var k = 0; k < 10; k++)
        {
            targets[k] = k == 0 && document % 2 == 0 ? HotEntry : Id(1 + random.Next(entries - 1 > 0 ? entries - 1 : 1));
        }

        return targets;
    }

    private static string Content(string[] targets) => new JsonArray([.. targets.Select((target, k) => (JsonNode)new JsonObject
    {
        ["id"] = $"c{k}", ["component"] = "image", ["content"] = new JsonObject { ["image"] = new JsonObject { ["mediaId"] = target } },
    })]).ToJsonString();

    private static async Task StoreSampleAsync(IBlobStore store, CancellationToken ct)
    {
        if (await store.StatAsync(SampleKey, ct) is not null)
        {
            return;
        }

        // A minimal JPEG header: enough for imports of benchmark entries that point at it.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x03, 0x84, 0x06, 0x40, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00, 0xFF, 0xD9];
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, jpeg, ct);
        await store.PutFileAsync(SampleKey, file, "image/jpeg", ct);
    }
}
