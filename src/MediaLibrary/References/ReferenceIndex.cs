using System.Data.Common;
using Dapper;

namespace MediaLibrary.References;

/// Write side of the references index: replaces one source's references inside the caller's
/// transaction and keeps the distinct-source counts in step.
internal static class ReferenceIndex
{
    public const string Documents = "document";
    public const string Media = "media";

    public static async Task ReplaceDocumentAsync(DbConnection connection, DbTransaction transaction, long documentId, IReadOnlyList<Reference> references, CancellationToken ct)
    {
        var old = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT target_id FROM document_references WHERE document_id = @documentId", new { documentId }, transaction, cancellationToken: ct))).ToHashSet();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM document_references WHERE document_id = @documentId", new { documentId }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO document_references (target_id, document_id, ordinal, kind, component_id, component_name, directive_name, property_name)
            VALUES (@TargetId, @DocumentId, @Ordinal, @Kind, @ComponentId, @ComponentName, @DirectiveName, @PropertyName)
            """,
            references.Select((r, i) => new { r.TargetId, DocumentId = documentId, Ordinal = i, r.Kind, r.ComponentId, r.ComponentName, r.DirectiveName, r.PropertyName }),
            transaction, cancellationToken: ct));
        await AdjustCountsAsync(connection, transaction, Documents, old, references.Select(r => r.TargetId).ToHashSet(), ct);
    }

    public static async Task ReplaceMediaAsync(DbConnection connection, DbTransaction transaction, string sourceId, IReadOnlyList<Reference> references, CancellationToken ct)
    {
        var old = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT target_id FROM media_references WHERE source_id = @sourceId", new { sourceId }, transaction, cancellationToken: ct))).ToHashSet();
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM media_references WHERE source_id = @sourceId", new { sourceId }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO media_references (target_id, source_id, ordinal, property_name) VALUES (@TargetId, @SourceId, @Ordinal, @PropertyName)",
            references.Select((r, i) => new { r.TargetId, SourceId = sourceId, Ordinal = i, PropertyName = r.PropertyName! }),
            transaction, cancellationToken: ct));
        await AdjustCountsAsync(connection, transaction, Media, old, references.Select(r => r.TargetId).ToHashSet(), ct);
    }

    private static async Task AdjustCountsAsync(DbConnection connection, DbTransaction transaction, string kind, HashSet<string> before, HashSet<string> after, CancellationToken ct)
    {
        var removed = before.Except(after).Select(target => new { target, kind });
        var added = after.Except(before).Select(target => new { target, kind });
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE reference_counts SET sources = sources - 1 WHERE target_id = @target AND source_kind = @kind", removed, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO reference_counts (target_id, source_kind, sources) VALUES (@target, @kind, 1)
            ON CONFLICT (target_id, source_kind) DO UPDATE SET sources = reference_counts.sources + 1
            """, added, transaction, cancellationToken: ct));
    }
}
