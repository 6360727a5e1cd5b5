using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.References;
using MediaLibrary.Storage;
using MediaLibrary.UsageLog;

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
internal sealed class DocumentStore(Database database, UsagePurposeCatalog purposes, TimeProvider time)
{
    private Dialect Sql => database.Dialect;

    /// The write transaction of an import: every document of the request in it, each in a savepoint.
    public Task<DbSession> OpenWriteAsync(CancellationToken ct) => database.OpenWriteAsync(ct);

    /// Upsert by (systemName, externalId); publishing replaces the document's references in the same transaction.
    public async Task<long> UpsertAsync(DbSession session, string systemName, DocumentInput document, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var metadata = document.Metadata.ToJsonString(AppJson.Options);
        var content = document.Content.ToJsonString(AppJson.Options);
        var ids = await session.QueryAsync<long>(
            $"""
            INSERT INTO documents (system_name, external_id, content_type, title, metadata, content, created_at, updated_at)
            VALUES (@systemName, @externalId, @contentType, @title, {Sql.Json("@metadata")}, {Sql.Json("@content")}, @now, @now)
            ON CONFLICT (system_name, external_id) DO UPDATE
            SET content_type = excluded.content_type, title = excluded.title, metadata = excluded.metadata,
                content = excluded.content, updated_at = excluded.updated_at
            RETURNING id
            """, ct,
            ("systemName", systemName), ("externalId", document.ExternalId), ("contentType", document.ContentType), ("title", document.Title),
            ("metadata", metadata), ("content", content), ("now", now));
        var id = ids[0];

        if (document.Publish)
        {
            var publicationId = (await session.QueryAsync<long>(
                $"""
                INSERT INTO publications (document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date)
                VALUES (@id, 1, {Sql.True}, @contentType, {Sql.Json("@metadata")}, {Sql.Json("@content")}, @now, @now)
                ON CONFLICT (document_id) DO UPDATE
                SET publication_id = publications.publication_id + 1, live = excluded.live, content_type = excluded.content_type,
                    metadata = excluded.metadata, content = excluded.content, last_publication_date = excluded.last_publication_date
                RETURNING publication_id
                """, ct, ("id", id), ("contentType", document.ContentType), ("metadata", metadata), ("content", content), ("now", now)))[0];
            var references = ReferenceExtractor.FromContent(document.Content);
            references.AddRange(ReferenceExtractor.FromMetadata(document.Metadata));
            if (Sql.IsPostgres && references.Count > 0)
            {
                // A delete waiting for these entries' locks re-reads their use after this publication
                // commits (§14: nothing a publication references is deleted by a routine). In id order,
                // as the routines lock theirs.
                await session.QueryAsync<string>("SELECT id FROM media_entries WHERE id = ANY(@ids) ORDER BY id FOR KEY SHARE", ct,
                    ("ids", references.Select(r => r.TargetId).Distinct(StringComparer.Ordinal).ToArray()));
            }

            await ReferenceIndex.ReplaceDocumentAsync(session, id, references, ct);
            await Lifecycle.EntryUsageRule.RecordPublishedAsync(session, references.Select(r => r.TargetId), now, ct);
            var changes = new List<NewEvent> { new(EventNames.DocumentPublish, actor, DocumentId: id) };
            if (purposes.ForContentType(document.ContentType) is { } purpose)
            {
                changes.AddRange(await RecordUsageAsync(session, purpose, id, publicationId, references, actor, now, ct));
            }

            await EventLog.AppendAsync(session, changes, now, ct);
        }

        return id;
    }

    /// SPEC §10: a publication of a document whose content type belongs to a usage purpose records
    /// one usage-log entry per referenced media entry (once per entry, document and purpose), each
    /// an update of that entry.
    private static async Task<List<NewEvent>> RecordUsageAsync(
        DbSession session, UsagePurpose purpose, long documentId, long publicationId, IReadOnlyList<Reference> references, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var updates = new List<NewEvent>();
        foreach (var entryId in references.Select(r => r.TargetId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var row = new UsageLogRow
            {
                Id = UsageLogRow.NewId(), EntryId = entryId, Purpose = purpose.Handle, State = purpose.RecordAs, Params = "{}",
                DocumentId = documentId, PublicationId = publicationId, PublicationDate = now, ReportingDate = now, ReportedBy = actor.Name,
            };
            if (await UsageLogStore.RecordPublicationAsync(session, row, ct) is { } entry)
            {
                updates.Add(new NewEvent(EventNames.Update, actor, MediaId: entryId, MediaType: entry.MediaType, Version: entry.Version));
            }
        }

        return updates;
    }

    /// False when there is no such document. Unpublishing removes its references.
    public async Task<bool> UnpublishAsync(long id, Actor actor, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        if ((await session.QueryAsync<long>("SELECT id FROM documents WHERE id = @id", ct, ("id", id))).Count == 0)
        {
            return false;
        }

        // Unpublishing what is not published changes nothing and emits nothing.
        if (await session.ExecuteAsync($"UPDATE publications SET live = {Sql.False} WHERE document_id = @id AND live = {Sql.True}", ct, ("id", id)) == 1)
        {
            await ReferenceIndex.ReplaceDocumentAsync(session, id, [], ct);
            await EventLog.AppendAsync(session, [new NewEvent(EventNames.DocumentUnpublish, actor, DocumentId: id)], time.StoredNow(), ct);
            await session.CommitAsync(ct);
        }

        return true;
    }

    public async Task<PublicationRow?> LatestPublicationAsync(long id, CancellationToken ct)
    {
        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        return await session.QueryFirstOrDefaultAsync<PublicationRow>(
            $"""
            SELECT document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date
            FROM publications WHERE document_id = @id AND live = {Sql.True}
            """, null, ct, ("id", id));
    }
}
