using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Events;
using MediaLibrary.Entries;
using MediaLibrary.Storage;

namespace MediaLibrary.Documents;

/// One result of `POST /import/documents`: like the media import's, with the integer document id.
public sealed record DocumentImportResult(
    bool Ok, int Status, long? Id = null, string? Error = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_details")] object? ErrorDetails = null);

/// `POST /import/documents`: validates every document, then stores the valid ones in one
/// transaction with a savepoint per document, so one failure does not undo the others.
internal sealed class DocumentImporter(DocumentStore store, TimeProvider time, ILogger<DocumentImporter> logger)
{
    private const int MaxComponentDepth = 32;

    public async Task<List<DocumentImportResult>> ImportAsync(string systemName, JsonArray documents, Actor actor, CancellationToken ct)
    {
        var results = new DocumentImportResult?[documents.Count];
        var valid = new List<(int Index, DocumentInput Input)>();
        for (var i = 0; i < documents.Count; i++)
        {
            var shape = new JsonShape();
            if (Read(shape, documents[i]) is { } input && shape.Ok)
            {
                valid.Add((i, input));
            }
            else
            {
                results[i] = new DocumentImportResult(false, 400, Error: "ValidationError", ErrorDetails: new
                {
                    message = "Invalid document.",
                    errors = shape.Errors.Select(e => new ImportPathError(e.Key, e.Value)),
                });
            }
        }

        if (valid.Count > 0)
        {
            var now = time.StoredNow();
            // SQLite: one transaction for all (one writer; a savepoint each). PostgreSQL: one each, so
            // no transaction holds one document's rows while it waits for another's: publications
            // lock what they reference in id order, and two imports never wait on each other in a
            // circle; a deadlock that still happens is run again.
            var groups = store.OneTransactionPerDocument ? valid.Select(v => new List<(int, DocumentInput)> { v }).ToList() : [valid];
            foreach (var group in groups)
            {
                var stored = await Deadlocks.RetryAsync(() => StoreAsync(systemName, group, actor, now, ct), logger, "A document import", ct);
                foreach (var (index, result) in stored)
                {
                    results[index] = result;
                }
            }
        }

        return results.Select(r => r!).ToList();
    }

    private async Task<List<(int Index, DocumentImportResult Result)>> StoreAsync(
        string systemName, List<(int Index, DocumentInput Input)> valid, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var results = new List<(int, DocumentImportResult)>();
        await using var session = await store.OpenWriteAsync(ct);
        foreach (var (index, input) in valid)
        {
            try
            {
                var stored = await session.SavepointAsync("document", () => store.UpsertAsync(session, systemName, input, actor, now, ct), ct);
                results.Add((index, stored.Violations.Count == 0
                    ? new DocumentImportResult(true, 200, stored.Id)
                    : new DocumentImportResult(false, 400, stored.Id, "LicenseViolation", new
                    {
                        message = $"The document was stored as a draft but not published: {stored.Violations.Count} referenced {(stored.Violations.Count == 1 ? "entry is" : "entries are")} not licensed for it.",
                        violations = stored.Violations,
                    })));
                if (stored.Violations.Count > 0)
                {
                    logger.LogInformation("Document {DocumentId} ({ExternalId} of {SystemName}) not published: {Violations} licence violations",
                        stored.Id, input.ExternalId, systemName, stored.Violations.Count);
                }
            }
            catch (System.Data.Common.DbException e) when (!ErrorEnvelopeMiddleware.IsDatabaseUnavailable(e))
            {
                logger.LogWarning(e, "Document {ExternalId} of {SystemName} was not stored", input.ExternalId, systemName);
                results.Add((index, new DocumentImportResult(false, 409, Error: "Conflict", ErrorDetails: new { message = "The document could not be stored; retry it." })));
            }
        }

        await session.CommitAsync(ct);
        return results;
    }

    private static DocumentInput? Read(JsonShape shape, JsonNode? node)
    {
        var obj = shape.Object(node, "", RequestSchema<DocumentImportRequest>.Properties);
        if (obj is null)
        {
            return null;
        }

        var externalId = shape.String(obj, "", "externalId", required: true, maxLength: 200);
        var contentType = shape.String(obj, "", "contentType", required: true, maxLength: 100);
        var title = shape.String(obj, "", "title", required: false, maxLength: 1000);
        var publish = shape.Boolean(obj, "", "publish") ?? false;
        var metadata = CopyOf(obj["metadata"], new JsonObject());
        if (metadata is null)
        {
            shape.Add("metadata", "must be an object");
        }

        var content = CopyOf(obj["content"], new JsonArray());
        if (content is null)
        {
            shape.Add("content", "must be an array of components");
        }
        else
        {
            CheckComponents(shape, content, "content", 0);
        }

        return externalId is null || contentType is null || metadata is null || content is null
            ? null
            : new DocumentInput(externalId, contentType, title, metadata, content, publish);
    }

    // Components are content, not request schema: extra keys are kept; the keys we read must be well typed.
    private static void CheckComponents(JsonShape shape, JsonArray components, string path, int depth)
    {
        if (depth > MaxComponentDepth)
        {
            shape.Add(path, $"components are nested deeper than {MaxComponentDepth} levels");
            return;
        }

        for (var i = 0; i < components.Count; i++)
        {
            var at = $"{path}.{i}";
            if (components[i] is not JsonObject component)
            {
                shape.Add(at, "must be a component object");
                continue;
            }

            shape.String(component, at, "id", required: true, maxLength: 200);
            shape.String(component, at, "component", required: true, maxLength: 200);
            if (component["content"] is { } directives && directives is not JsonObject)
            {
                shape.Add($"{at}.content", "must be an object of directive values");
            }

            if (component["containers"] is { } containers)
            {
                if (containers is not JsonObject byName)
                {
                    shape.Add($"{at}.containers", "must be an object of component arrays");
                    continue;
                }

                foreach (var (name, children) in byName)
                {
                    if (children is JsonArray list)
                    {
                        CheckComponents(shape, list, $"{at}.containers.{name}", depth + 1);
                    }
                    else
                    {
                        shape.Add($"{at}.containers.{name}", "must be an array of components");
                    }
                }
            }
        }
    }

    /// A missing value is an empty one; one of the wrong kind is null (the caller reports it).
    private static T? CopyOf<T>(JsonNode? node, T empty) where T : JsonNode => node switch
    {
        null => empty,
        T value => (T)value.DeepClone(),
        _ => null,
    };
}
