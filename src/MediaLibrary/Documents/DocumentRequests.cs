using System.ComponentModel;
using System.Text.Json;

namespace MediaLibrary.Documents;

/// POST /import/documents. Handlers validate bodies against these records' properties (see Api/RequestSchema).
public sealed record ImportDocumentsRequest(string SystemName, [property: Description("1 to 100 documents, upserted by (systemName, externalId).")] IReadOnlyList<DocumentImportRequest> Documents);

public sealed record DocumentImportRequest(
    string ExternalId,
    string ContentType,
    string? Title = null,
    [property: Description("Metadata; {\"mediaId\": …} values link media entries.")] Dictionary<string, JsonElement>? Metadata = null,
    [property: Description("Components: {\"id\", \"component\", \"content\": {directive: value}}; {\"mediaId\": …} values link media entries.")] IReadOnlyList<JsonElement>? Content = null,
    [property: Description("true makes this content the live publication.")] bool? Publish = null);

/// From 2026-07: the entries to approve for the document (SPEC §15).
public sealed record LicenseApprovalsRequest([property: System.ComponentModel.Description("1 to 1,000 media ids the document's current content references.")] IReadOnlyList<string> MediaIds);
