using System.Globalization;
using System.Text.Json.Serialization;
using MediaLibrary.Api;
using MediaLibrary.Storage;
using Microsoft.AspNetCore.Mvc;

namespace MediaLibrary.Events;

internal static class EventEndpoints
{
    public static VersionedApi MapEvents(this VersionedApi api)
    {
        api.Read.MapGet("/events", ListAsync).WithName("GetEvents").WithTags("Events")
            .AnswersByVersion<IReadOnlyList<EventResponse>, EventList>(ApiVersion.V2026_01);
        return api;
    }

    public sealed record EventActor(string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name);

    public sealed record EventResponse(
        long Id, DateTimeOffset CreatedAt, string Event,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MediaId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? DocumentId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Version,
        EventActor Actor,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Keys = null);

    public sealed record EventList(IReadOnlyList<EventResponse> Results);

    /// (ours) The pull feed: ascending ids; a client that pages with `id.gt=<last id seen>` misses nothing.
    public static async Task<IResult> ListAsync(
        ApiVersion apiVersion, Database database, string? limit, [FromQuery(Name = "id.gt")] string? after, string? events, string? mediaId, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 1000))
        {
            errors["limit"] = "must be a whole number from 1 to 1000";
        }

        long afterId = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
        {
            errors["id.gt"] = "must be an event id (a whole number of at least 0)";
        }

        var names = events?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        if (names.FirstOrDefault(n => !EventNames.All.Contains(n)) is { } unknown)
        {
            errors["events"] = $"No enum match for: \"{unknown}\" (known: {string.Join(", ", EventNames.All)})";
        }

        if (mediaId is { Length: > 64 })
        {
            errors["mediaId"] = "must be at most 64 characters long";
        }

        if (errors.Count > 0)
        {
            return ApiErrors.Validation(errors);
        }

        await using var session = await database.OpenSessionAsync(cancellationToken: ct);
        var rows = await session.QueryAsync<EventRow>(
            $"""
            {EventRow.Select}
            WHERE position > @after AND (@anyName = 1 OR {database.Dialect.InList("name", "@names")}) AND (CAST(@mediaId AS TEXT) IS NULL OR media_id = @mediaId)
            ORDER BY position LIMIT @limit
            """, ct, ("after", afterId), ("anyName", names.Length == 0 ? 1 : 0), ("names", names), ("mediaId", mediaId), ("limit", count));
        var results = rows.Select(r => new EventResponse(r.Position, r.CreatedAt, r.Name, r.MediaId, r.DocumentId, r.Version, new EventActor(r.ActorType, r.ActorName), KeysOf(r))).ToList();
        return apiVersion >= ApiVersion.V2026_01 ? TypedResults.Ok(new EventList(results)) : TypedResults.Ok(results);
    }

    public static IReadOnlyList<string>? KeysOf(EventRow row) =>
        row.Keys is null ? null : System.Text.Json.JsonSerializer.Deserialize<string[]>(row.Keys);
}
