using MediaLibrary.Storage;

namespace MediaLibrary.References;

internal sealed class StoredReference
{
    public string SourceId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? ComponentId { get; set; }
    public string? ComponentName { get; set; }
    public string? DirectiveName { get; set; }
    public string? PropertyName { get; set; }
}

/// Read side of the references index. Pages are keyset-based: the first page and a page at any
/// depth cost the same index range scan (`offset` still works, at the cost offsets have).
internal sealed class IncomingReferenceStore(Database database)
{
    // Built once per provider: the IN-list is the only difference.
    private readonly string _documentReferences =
        $"""
        SELECT CAST(document_id AS TEXT) AS source_id, kind, component_id, component_name, directive_name, property_name
        FROM document_references WHERE target_id = @targetId AND {database.Dialect.InList("document_id", "@page")}
        ORDER BY document_id, ordinal
        """;

    private readonly string _mediaReferences =
        $"""
        SELECT source_id, 'metadata' AS kind, property_name
        FROM media_references WHERE target_id = @targetId AND {database.Dialect.InList("source_id", "@page")}
        ORDER BY source_id, ordinal
        """;

    public sealed record Page(IReadOnlyList<string> Sources, bool More, int Total, IReadOnlyList<StoredReference> References);

    public async Task<Page> DocumentPageAsync(string targetId, long? after, int offset, int limit, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(planEachTime: true, ct);
        var sources = await session.QueryAsync<long>(
            """
            SELECT DISTINCT document_id FROM document_references
            WHERE target_id = @targetId AND document_id > @after
            ORDER BY document_id LIMIT @take OFFSET @offset
            """, ct, ("targetId", targetId), ("after", after ?? 0), ("take", limit + 1), ("offset", offset));
        var page = sources.Take(limit).ToArray();
        var references = page.Length == 0 ? [] : await session.QueryAsync<StoredReference>(_documentReferences, ct, ("targetId", targetId), ("page", page));
        return new Page(page.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), sources.Count > limit,
            await TotalAsync(session, targetId, ReferenceIndex.Documents, ct), references);
    }

    public async Task<Page> MediaPageAsync(string targetId, string? after, int offset, int limit, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(planEachTime: true, ct);
        var sources = await session.QueryAsync<string>(
            """
            SELECT DISTINCT source_id FROM media_references
            WHERE target_id = @targetId AND source_id > @after
            ORDER BY source_id LIMIT @take OFFSET @offset
            """, ct, ("targetId", targetId), ("after", after ?? ""), ("take", limit + 1), ("offset", offset));
        var page = sources.Take(limit).ToArray();
        var references = page.Length == 0 ? [] : await session.QueryAsync<StoredReference>(_mediaReferences, ct, ("targetId", targetId), ("page", page));
        return new Page(page, sources.Count > limit, await TotalAsync(session, targetId, ReferenceIndex.Media, ct), references);
    }

    private static async Task<int> TotalAsync(DbSession session, string targetId, string kind, CancellationToken ct) =>
        await session.QueryFirstOrDefaultAsync<int?>(
            "SELECT sources FROM reference_counts WHERE target_id = @targetId AND source_kind = @kind", null, ct,
            ("targetId", targetId), ("kind", kind)) ?? 0;
}
