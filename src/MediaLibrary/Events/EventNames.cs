namespace MediaLibrary.Events;

/// Livingdocs' webhook event names (SPEC §8), in the order one request emits them.
public static class EventNames
{
    public const string Create = "mediaLibraryEntry.create";
    public const string Update = "mediaLibraryEntry.update";
    public const string Archive = "mediaLibraryEntry.archive";
    public const string Revoke = "mediaLibraryEntry.revoke";
    public const string Active = "mediaLibraryEntry.active";
    public const string Invalid = "mediaLibraryEntry.invalid";
    public const string Unarchive = "mediaLibraryEntry.unarchive";
    public const string Delete = "mediaLibraryEntry.delete";
    public const string DocumentPublish = "document.publish";
    public const string DocumentUnpublish = "document.unpublish";

    public static readonly IReadOnlyList<string> All = [Create, Update, Archive, Revoke, Active, Invalid, Unarchive, Delete, DocumentPublish, DocumentUnpublish];
}

/// Who made a change: an API client by name, or the service itself (a validity window passing).
public sealed record Actor(string Type, string? Name = null)
{
    public static readonly Actor System = new("system");

    public static Actor Client(System.Security.Claims.ClaimsPrincipal user) =>
        new("api-client", user.Identity?.Name);
}

/// An event to append in the transaction of the write that causes it.
internal sealed record NewEvent(string Name, Actor Actor, string? MediaId = null, long? DocumentId = null,
    string? MediaType = null, int? Version = null, IReadOnlyList<string>? ChangedProperties = null, IReadOnlyList<string>? Keys = null);
