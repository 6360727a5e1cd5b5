using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaLibrary.Entries;

// The JSON bodies of the entry endpoints, as the API reference shows them. Handlers validate
// bodies against these records' properties (see Api/RequestSchema).

/// PATCH /mediaLibrary (from 2026-07): many entries, each on its own.
public sealed record PatchEntriesRequest(
    [property: Description("1 to 100 entries, each with its id, optional version and patches exactly as PATCH /mediaLibrary/{id}; an id at most once.")] IReadOnlyList<PatchEntriesItem> Entries,
    [property: Description("Keep every entry's updatedAt as it was.")] bool? PreserveUpdatedAt = null);

/// One entry of a batch PATCH.
public sealed record PatchEntriesItem(
    string Id,
    [property: Description("1 to 100 operations for this entry, applied together or not at all.")] IReadOnlyList<PatchOperationRequest> Patches,
    [property: Description("The version the change is based on; 409 for this entry when it is not current.")] JsonElement? Version = null);

/// PATCH /mediaLibrary/{id}.
public sealed record PatchEntryRequest(
    [property: Description("1 to 100 operations, applied together or not at all.")] IReadOnlyList<PatchOperationRequest> Patches,
    [property: Description("The version the change is based on (number or numeric string); 409 when it is not current.")] JsonElement? Version = null,
    [property: Description("From 2026-03: keep updatedAt as it was.")] bool? PreserveUpdatedAt = null);

/// One operation of a PATCH, chosen by `operation`.
[JsonPolymorphic(TypeDiscriminatorPropertyName = "operation")]
[JsonDerivedType(typeof(SetMetadataPropertyOperation), "setMetadataProperty")]
[JsonDerivedType(typeof(ReplaceAssetOperation), "replaceAsset")]
[JsonDerivedType(typeof(RevokeAssetOperation), "revokeAsset")]
[JsonDerivedType(typeof(UnrevokeAssetOperation), "unrevokeAsset")]
[JsonDerivedType(typeof(ArchiveOperation), "archive")]
[JsonDerivedType(typeof(UnarchiveOperation), "unarchive")]
[JsonDerivedType(typeof(RemoveAssetOperation), "removeAsset")]
[JsonDerivedType(typeof(AddUsageLogEntryOperation), "addUsageLogEntry")]
[JsonDerivedType(typeof(UpdateUsageLogEntryOperation), "updateUsageLogEntry")]
[JsonDerivedType(typeof(RemoveUsageLogEntryOperation), "removeUsageLogEntry")]
[JsonDerivedType(typeof(SetUsageLogBillingOperation), "setUsageLogBilling")]
[JsonDerivedType(typeof(SetImageEditsOperation), "setImageEdits")]
[JsonDerivedType(typeof(SetTranslationOperation), "setTranslation")]
[JsonDerivedType(typeof(RemoveTranslationOperation), "removeTranslation")]
public abstract record PatchOperationRequest;

[Description("Sets a metadata property, validated by the media type; a null or absent value removes it (not a required one).")]
public sealed record SetMetadataPropertyOperation(string PropertyName, JsonElement? Value = null) : PatchOperationRequest;

[Description("Replaces the asset; the key must exist in storage. The old key stays in the entry's key history.")]
public sealed record ReplaceAssetOperation(AssetRequest Value) : PatchOperationRequest;

[Description("Revokes the asset: delivery stops at once. From 2026-01 a second revoke is 409.")]
public sealed record RevokeAssetOperation([property: Description("At most 200 characters.")] string? Note = null) : PatchOperationRequest;

[Description("Ends a revocation (409 when not revoked); the state is computed again.")]
public sealed record UnrevokeAssetOperation : PatchOperationRequest;

[Description("Archives the entry (idempotent); archived entries are still delivered.")]
public sealed record ArchiveOperation : PatchOperationRequest;

[Description("(ours) From 2026-07: ends the archiving (a no-op when not archived): the entry may be deleted again.")]
public sealed record UnarchiveOperation : PatchOperationRequest;

[Description("Removes a translation's asset; the default asset cannot be removed.")]
public sealed record RemoveAssetOperation(string Locale) : PatchOperationRequest;

[Description("(ours) From 2026-07: adds the locale's translation or changes it. `metadata`, when given, replaces the translation's metadata (validated by the media type, required properties not required); `asset`, when given, replaces its asset (the key must exist in storage; media types whose assets are translatable; once set, replaced only where they are replaceable). At most 100 translations.")]
public sealed record SetTranslationOperation(
    [property: Description("^[a-z][a-zA-Z0-9-]+$")] string Locale,
    Dictionary<string, JsonElement>? Metadata = null,
    AssetRequest? Asset = null) : PatchOperationRequest;

[Description("(ours) From 2026-07: removes the locale's translation, metadata and asset; its asset's key stays in the key history.")]
public sealed record RemoveTranslationOperation(string Locale) : PatchOperationRequest;

[Description("From 2026-05: adds a usage-log entry; reportingDate and reportedBy are set by the server. Not for internal purposes.")]
public sealed record AddUsageLogEntryOperation(UsageLogValueRequest Value) : PatchOperationRequest;

[Description("From 2026-05: replaces a usage-log entry's fields; with oldValue, only when the stored entry still equals it (else 409).")]
public sealed record UpdateUsageLogEntryOperation(string UsageLogEntryId, UsageLogValueRequest Value, UsageLogValueRequest? OldValue = null) : PatchOperationRequest;

[Description("From 2026-05: removes a usage-log entry (not one of an internal purpose).")]
public sealed record RemoveUsageLogEntryOperation(string UsageLogEntryId) : PatchOperationRequest;

[Description("From 2026-07, image entries: rotate (0, 90, 180, 270), pixelate (1 to 20 regions {x, y, w, h}) and focalPoint {x, y}, as fractions of the rotated image; served at the same URLs. value null restores the original.")]
public sealed record SetImageEditsOperation(JsonElement? Value) : PatchOperationRequest;

[Description("From 2026-07: decides whether a use is billed, once (any purpose, internal ones included); a decided one answers 409 BillingResolved.")]
public sealed record SetUsageLogBillingOperation(string UsageLogEntryId, bool Billing) : PatchOperationRequest;

/// The fields of a usage-log entry a client sets.
public sealed record UsageLogValueRequest(
    [property: Description("A purpose handle of the project config (not an internal one).")] string Purpose,
    [property: Description("pending (default when adding) or confirmed.")] string? State = null,
    [property: Description("ISO 8601 date-time; required when confirmed.")] string? PublicationDate = null,
    string? Url = null,
    [property: Description("Validated by the purpose's paramsSchema.")] Dictionary<string, JsonElement>? Params = null);

/// The `asset` object of an import or a replaceAsset: usually the answer of POST /mediaLibrary/assets.
public sealed record AssetRequest(
    string Key,
    [property: Description("Accepted, not stored: answers build it from the configured delivery URL and the key.")] string Url,
    long Size,
    string MimeType,
    string Filename,
    [property: Description("Required for images and videos.")] int? Width = null,
    [property: Description("Required for images and videos.")] int? Height = null,
    [property: Description("Seconds; required for videos.")] double? Duration = null,
    string? Sha256 = null,
    [property: Description("What the upload read from the file's headers; accepted and ignored.")] JsonElement? Extracted = null);

/// POST /import/mediaLibrary.
public sealed record ImportEntriesRequest([property: Description("Up to 100 entries; each gets its own result.")] IReadOnlyList<ImportEntryRequest> MediaLibraryEntries);

public sealed record ImportEntryRequest(
    [property: Description("A media type handle of the project config.")] string MediaType,
    AssetRequest Asset,
    [property: Description("^[a-zA-Z0-9-]{1,32}$; generated when absent.")] string? Id = null,
    string? SystemName = null,
    [property: Description("Requires systemName; the pair is unique.")] string? ExternalId = null,
    [property: Description("Validated by the media type's metadata config.")] Dictionary<string, JsonElement>? Metadata = null,
    IReadOnlyList<TranslationRequest>? Translations = null);

public sealed record TranslationRequest(
    [property: Description("^[a-z][a-zA-Z0-9-]+$")] string Locale,
    Dictionary<string, JsonElement>? Metadata = null,
    AssetRequest? Asset = null);
