using MediaLibrary.Storage;

namespace MediaLibrary.References;

/// Write side of the references index: replaces one source's references inside the caller's
/// transaction and keeps the distinct-source counts in step.
internal static class ReferenceIndex
{
    public const string Documents = "document";
    public const string Media = "media";

    public static async Task ReplaceDocumentAsync(DbSession session, long documentId, IReadOnlyList<Reference> references, CancellationToken ct)
    {
        var old = (await session.QueryAsync<string>(
            "SELECT DISTINCT target_id FROM document_references WHERE document_id = @documentId", ct, ("documentId", documentId))).ToHashSet();
        await session.ExecuteAsync("DELETE FROM document_references WHERE document_id = @documentId", ct, ("documentId", documentId));
        for (var i = 0; i < references.Count; i++)
        {
            var r = references[i];
            await session.ExecuteAsync(
                """
                INSERT INTO document_references (target_id, document_id, ordinal, kind, component_id, component_name, directive_name, property_name)
                VALUES (@targetId, @documentId, @ordinal, @kind, @componentId, @componentName, @directiveName, @propertyName)
                """, ct,
                ("targetId", r.TargetId), ("documentId", documentId), ("ordinal", i), ("kind", r.Kind), ("componentId", r.ComponentId),
                ("componentName", r.ComponentName), ("directiveName", r.DirectiveName), ("propertyName", r.PropertyName));
        }

        await AdjustCountsAsync(session, Documents, old, references.Select(r => r.TargetId).ToHashSet(), ct);
    }

    public static async Task ReplaceMediaAsync(DbSession session, string sourceId, IReadOnlyList<Reference> references, CancellationToken ct)
    {
        var old = (await session.QueryAsync<string>(
            "SELECT DISTINCT target_id FROM media_references WHERE source_id = @sourceId", ct, ("sourceId", sourceId))).ToHashSet();
        await session.ExecuteAsync("DELETE FROM media_references WHERE source_id = @sourceId", ct, ("sourceId", sourceId));
        for (var i = 0; i < references.Count; i++)
        {
            await session.ExecuteAsync(
                "INSERT INTO media_references (target_id, source_id, ordinal, property_name) VALUES (@targetId, @sourceId, @ordinal, @propertyName)", ct,
                ("targetId", references[i].TargetId), ("sourceId", sourceId), ("ordinal", i), ("propertyName", references[i].PropertyName!));
        }

        await AdjustCountsAsync(session, Media, old, references.Select(r => r.TargetId).ToHashSet(), ct);
    }

    private static async Task AdjustCountsAsync(DbSession session, string kind, HashSet<string> before, HashSet<string> after, CancellationToken ct)
    {
        // One pass in target order: two publications adjusting the same targets lock their rows in
        // the same order, so they wait for each other instead of deadlocking (PostgreSQL).
        foreach (var target in before.Except(after).Concat(after.Except(before)).Order(StringComparer.Ordinal))
        {
            if (before.Contains(target))
            {
                await session.ExecuteAsync(
                    "UPDATE reference_counts SET sources = sources - 1 WHERE target_id = @target AND source_kind = @kind", ct, ("target", target), ("kind", kind));
                continue;
            }

            await session.ExecuteAsync(
                """
                INSERT INTO reference_counts (target_id, source_kind, sources) VALUES (@target, @kind, 1)
                ON CONFLICT (target_id, source_kind) DO UPDATE SET sources = reference_counts.sources + 1
                """, ct, ("target", target), ("kind", kind));
        }
    }
}
