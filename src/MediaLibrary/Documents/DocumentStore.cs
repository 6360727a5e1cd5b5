using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using MediaLibrary.Api;
using MediaLibrary.References;
using MediaLibrary.Storage;

namespace MediaLibrary.Documents;

/// A document to store, already validated.
internal sealed record DocumentInput(string ExternalId, string ContentType, string? Title, JsonObject Metadata, JsonArray Content, bool Publish);

internal sealed class PublicationRow
{
    public long DocumentId { get; set; }
    public int PublicationId { get; set; }
    public bool Live { get; set; }
    public string ContentType { get; set; } = "";
    public string Metadata { get; set; } = "{}";
    public string Content { get; set; } = "[]";
    public DateTimeOffset FirstPublicationDate { get; set; }
    public DateTimeOffset LastPublicationDate { get; set; }
}

/// Documents, their publications and the references of what is published, with plain SQL.
internal sealed class DocumentStore(Database database)
{
    private Dialect Sql => database.Dialect;

    public async Task<DbConnection> OpenAsync(CancellationToken ct) => await database.OpenAsync(ct);

    /// Upsert by (systemName, externalId); publishing replaces the document's references in the same transaction.
    public async Task<long> UpsertAsync(DbConnection connection, DbTransaction transaction, string systemName, DocumentInput document, DateTimeOffset now, CancellationToken ct)
    {
        var parameters = new
        {
            systemName, document.ExternalId, document.ContentType, document.Title,
            Metadata = document.Metadata.ToJsonString(AppJson.Options), Content = document.Content.ToJsonString(AppJson.Options), now,
        };
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            INSERT INTO documents (system_name, external_id, content_type, title, metadata, content, created_at, updated_at)
            VALUES (@systemName, @ExternalId, @ContentType, @Title, {Sql.Json("@Metadata")}, {Sql.Json("@Content")}, @now, @now)
            ON CONFLICT (system_name, external_id) DO UPDATE
            SET content_type = excluded.content_type, title = excluded.title, metadata = excluded.metadata,
                content = excluded.content, updated_at = excluded.updated_at
            RETURNING id
            """, parameters, transaction, cancellationToken: ct));

        if (document.Publish)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO publications (document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date)
                VALUES (@id, 1, {Sql.True}, @ContentType, {Sql.Json("@Metadata")}, {Sql.Json("@Content")}, @now, @now)
                ON CONFLICT (document_id) DO UPDATE
                SET publication_id = publications.publication_id + 1, live = excluded.live, content_type = excluded.content_type,
                    metadata = excluded.metadata, content = excluded.content, last_publication_date = excluded.last_publication_date
                """, new { id, parameters.ContentType, parameters.Metadata, parameters.Content, now }, transaction, cancellationToken: ct));
            var references = ReferenceExtractor.FromContent(document.Content);
            references.AddRange(ReferenceExtractor.FromMetadata(document.Metadata));
            await ReferenceIndex.ReplaceDocumentAsync(connection, transaction, id, references, ct);
        }

        return id;
    }

    /// False when there is no such document. Unpublishing removes its references.
    public async Task<bool> UnpublishAsync(long id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await Database.BeginWriteAsync(connection, ct);
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM documents WHERE id = @id", new { id }, transaction, cancellationToken: ct));
        if (exists is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE publications SET live = {Sql.False} WHERE document_id = @id", new { id }, transaction, cancellationToken: ct));
        await ReferenceIndex.ReplaceDocumentAsync(connection, transaction, id, [], ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    public async Task<PublicationRow?> LatestPublicationAsync(long id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PublicationRow>(new CommandDefinition(
            $"""
            SELECT document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date
            FROM publications WHERE document_id = @id AND live = {Sql.True}
            """, new { id }, cancellationToken: ct));
    }
}
