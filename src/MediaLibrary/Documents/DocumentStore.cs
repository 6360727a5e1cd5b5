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

    /// (ours) The document's title (its current one, as imported).
    public string? Title { get; set; }
}

/// Why the licence gate refused to publish an entry (SPEC §15).
public sealed record LicenseViolation(string MediaId, string Reason);

/// The stored document's id; violations when the licence gate kept it from being published (its
/// content is then the draft, the live publication unchanged).
internal sealed record UpsertResult(long Id, IReadOnlyList<LicenseViolation> Violations);

/// Documents, their publications and the references of what is published, with plain SQL.
internal sealed class DocumentStore(Database database, UsagePurposeCatalog purposes, LicenseProfileCatalog licenses, MediaTypes.MediaTypeCatalog types, TimeProvider time)
{
    private Dialect Sql => database.Dialect;

    /// The write transaction of an import: every document of the request in it, each in a savepoint.
    public Task<DbSession> OpenWriteAsync(CancellationToken ct) => database.OpenWriteAsync(ct);

    /// PostgreSQL stores each document of an import in a transaction of its own (see DocumentImporter).
    public bool OneTransactionPerDocument => Sql.IsPostgres;

    /// Upsert by (systemName, externalId); publishing replaces the document's references in the same transaction.
    public async Task<UpsertResult> UpsertAsync(DbSession session, string systemName, DocumentInput document, Actor actor, DateTimeOffset now, CancellationToken ct)
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

        if (!document.Publish)
        {
            return new UpsertResult(id, []);
        }

        var references = ReferenceExtractor.FromContent(document.Content);
        references.AddRange(ReferenceExtractor.FromMetadata(document.Metadata));
        var targets = references.Select(r => r.TargetId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (Sql.IsPostgres && targets.Length > 0)
        {
            // A delete waiting for these entries' locks re-reads their use after this publication
            // commits (§14: nothing a publication references is deleted by a routine). In id order,
            // as the routines lock theirs. (A PATCH is not held: a licence changed meanwhile applies
            // from the next publication, the gate having read the one before it.)
            await session.QueryAsync<string>("SELECT id FROM media_entries WHERE id = ANY(@ids) ORDER BY id FOR KEY SHARE", ct, ("ids", targets));
        }

        var purpose = purposes.ForContentType(document.ContentType);
        var held = await LicensesAsync(session, targets, ct);
        if (licenses.Enabled && await ViolationsAsync(session, id, purpose, held, ct) is { Count: > 0 } violations)
        {
            return new UpsertResult(id, violations);
        }

        var publicationId = (await session.QueryAsync<long>(
            $"""
            INSERT INTO publications (document_id, publication_id, live, content_type, metadata, content, first_publication_date, last_publication_date)
            VALUES (@id, 1, {Sql.True}, @contentType, {Sql.Json("@metadata")}, {Sql.Json("@content")}, @now, @now)
            ON CONFLICT (document_id) DO UPDATE
            SET publication_id = publications.publication_id + 1, live = excluded.live, content_type = excluded.content_type,
                metadata = excluded.metadata, content = excluded.content, last_publication_date = excluded.last_publication_date
            RETURNING publication_id
            """, ct, ("id", id), ("contentType", document.ContentType), ("metadata", metadata), ("content", content), ("now", now)))[0];
        await ReferenceIndex.ReplaceDocumentAsync(session, id, references, ct);
        await Lifecycle.EntryUsageRule.RecordPublishedAsync(session, targets, now, ct);
        var changes = new List<NewEvent> { new(EventNames.DocumentPublish, actor, DocumentId: id) };
        if (purpose is not null)
        {
            changes.AddRange(await RecordUsageAsync(session, purpose, id, publicationId, targets, held, actor, now, ct));
        }

        await EventLog.AppendAsync(session, changes, now, ct);
        return new UpsertResult(id, []);
    }

    /// The licence profile handle of each referenced entry whose media type takes part (SPEC §15);
    /// null for one that has none. Entries of other types, and ids with no entry, are not listed.
    private async Task<Dictionary<string, string?>> LicensesAsync(DbSession session, string[] ids, CancellationToken ct)
    {
        var held = new Dictionary<string, string?>(StringComparer.Ordinal);
        var participating = types.All.Where(t => t.LicenseProperty is not null).Select(t => t.Handle).ToArray();
        if (ids.Length == 0 || participating.Length == 0)
        {
            return held;
        }

        foreach (var (id, mediaType, metadata) in await session.QueryAsync(
                     $"SELECT id, media_type, metadata FROM media_entries WHERE {Sql.InList("id", "@ids")} AND {Sql.InList("media_type", "@types")}",
                     r => (r.GetString(0), r.GetString(1), r.GetString(2)), ct, ("ids", ids), ("types", participating)))
        {
            var property = types.Find(mediaType)!.LicenseProperty!;
            held[id] = JsonNode.Parse(metadata)?[property.Handle] is JsonValue value && value.TryGetValue<string>(out var handle) ? handle : null;
        }

        return held;
    }

    /// The gate: every participating entry needs a configured profile with a rule for the
    /// document's purpose, and an approval for this document when its profile asks for one (a
    /// confirmed usage-log entry of the document counts as one).
    private async Task<List<LicenseViolation>> ViolationsAsync(DbSession session, long documentId, UsagePurpose? purpose, Dictionary<string, string?> held, CancellationToken ct)
    {
        var violations = new List<LicenseViolation>();
        var needApproval = new List<string>();
        foreach (var (entryId, handle) in held.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            var profile = licenses.Find(handle);
            var reason = handle is null ? "noProfile"
                : profile is null ? "unknownProfile"
                : purpose is null || !profile.Rules.ContainsKey(purpose.Handle) ? "purposeNotCovered"
                : null;
            if (reason is not null)
            {
                violations.Add(new LicenseViolation(entryId, reason));
            }
            else if (profile!.ApprovalRequired)
            {
                needApproval.Add(entryId);
            }
        }

        if (needApproval.Count > 0)
        {
            var approved = (await session.QueryAsync<string>(
                $"""
                SELECT entry_id FROM license_approvals WHERE document_id = @documentId AND {Sql.InList("entry_id", "@ids")}
                UNION SELECT entry_id FROM usage_log WHERE document_id = @documentId AND state = @confirmed AND {Sql.InList("entry_id", "@ids")}
                """, ct, ("documentId", documentId), ("ids", needApproval.ToArray()), ("confirmed", UsagePurposeCatalog.Confirmed))).ToHashSet(StringComparer.Ordinal);
            violations.AddRange(needApproval.Where(e => !approved.Contains(e)).Select(e => new LicenseViolation(e, "approvalRequired")));
            violations.Sort((a, b) => string.CompareOrdinal(a.MediaId, b.MediaId));
        }

        return violations;
    }

    /// SPEC §10: a publication of a document whose content type belongs to a usage purpose records
    /// one usage-log entry per referenced media entry (once per entry, document and purpose), each
    /// an update of that entry.
    private async Task<List<NewEvent>> RecordUsageAsync(
        DbSession session, UsagePurpose purpose, long documentId, long publicationId, string[] entryIds, Dictionary<string, string?> held,
        Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var updates = new List<NewEvent>();
        foreach (var entryId in entryIds)
        {
            var row = new UsageLogRow
            {
                Id = UsageLogRow.NewId(), EntryId = entryId, Purpose = purpose.Handle, State = purpose.RecordAs, Params = "{}",
                DocumentId = documentId, PublicationId = publicationId, PublicationDate = now, ReportingDate = now, ReportedBy = actor.Name,
            };

            // SPEC §15: the rule that applied, as it is now; recorded whether or not the gate is on.
            if (held.TryGetValue(entryId, out var handle) && licenses.Find(handle) is { } profile)
            {
                row.LicenseProfile = profile.Handle;
                if (profile.Rules.TryGetValue(purpose.Handle, out var rule))
                {
                    row.LicenseRule = rule.ToJson();
                    row.Billing = rule.Billing;
                }
            }

            if (await UsageLogStore.RecordPublicationAsync(session, row, ct) is { } entry)
            {
                updates.Add(new NewEvent(EventNames.Update, actor, MediaId: entryId, MediaType: entry.MediaType, Version: entry.Version));
            }
        }

        return updates;
    }

    /// Approves the entries for the document (SPEC §15), in one transaction: all of them, or none
    /// when one is not referenced by its current content (those are returned). False when there is
    /// no such document.
    public async Task<(bool Found, List<string> Unreferenced)> ApproveLicensesAsync(long documentId, IReadOnlyList<string> entryIds, Actor actor, CancellationToken ct)
    {
        await using var session = await database.OpenWriteAsync(ct);
        var stored = await session.QueryAsync(
            $"SELECT content, metadata FROM documents WHERE id = @id{Sql.ForUpdate}", r => (r.GetString(0), r.GetString(1)), ct, ("id", documentId));
        if (stored.Count == 0)
        {
            return (false, []);
        }

        var references = ReferenceExtractor.FromContent(JsonNode.Parse(stored[0].Item1)!.AsArray());
        references.AddRange(ReferenceExtractor.FromMetadata(JsonNode.Parse(stored[0].Item2)!.AsObject()));
        var referenced = references.Select(r => r.TargetId).ToHashSet(StringComparer.Ordinal);
        var unreferenced = entryIds.Where(e => !referenced.Contains(e)).Distinct(StringComparer.Ordinal).ToList();
        if (unreferenced.Count > 0)
        {
            return (true, unreferenced);
        }

        await session.ExecuteAsync(
            $"""
            INSERT INTO license_approvals (document_id, entry_id, approved_at, approved_by)
            SELECT @documentId, a.entry_id, @now, @by FROM {Sql.Rows("a", ("entry_id", "@ids", "text"))} WHERE true
            ON CONFLICT DO NOTHING
            """, ct, ("documentId", documentId), ("ids", entryIds.Distinct(StringComparer.Ordinal).ToArray()), ("now", time.StoredNow()), ("by", actor.Name));
        await session.CommitAsync(ct);
        return (true, []);
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
            SELECT p.document_id, p.publication_id, p.live, p.content_type, p.metadata, p.content, p.first_publication_date, p.last_publication_date, d.title
            FROM publications p JOIN documents d ON d.id = p.document_id WHERE p.document_id = @id AND p.live = {Sql.True}
            """, null, ct, ("id", id));
    }
}
