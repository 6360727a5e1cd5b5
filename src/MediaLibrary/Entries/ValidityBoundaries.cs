using System.Text.Json.Nodes;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;

namespace MediaLibrary.Entries;

/// The future moments at which an entry's li-datetime-validity windows open or close: the validity
/// clock (Events/ValidityClock) emits active/invalid when one passes. Kept with every write that
/// changes them; boundaries already past are not stored (the write itself emitted their change).
internal static class ValidityBoundaries
{
    public static List<DateTimeOffset> Future(MediaTypeDefinition? type, string metadata, DateTimeOffset now)
    {
        var result = new List<DateTimeOffset>();
        if (type is null || !type.Metadata.Any(p => p.Type == "li-datetime-validity" && metadata.Contains($"\"{p.Handle}\"", StringComparison.Ordinal)))
        {
            return result;
        }

        var values = JsonNode.Parse(metadata)!.AsObject();
        foreach (var property in type.Metadata.Where(p => p.Type == "li-datetime-validity"))
        {
            foreach (var edge in new[] { "from", "to" })
            {
                if (MetadataValidator.ParseDateTime(values[property.Handle]?[edge]) is { } at && at > now)
                {
                    // `to` is inclusive: the window closes just after it.
                    result.Add(edge == "to" ? at.AddMilliseconds(1) : at);
                }
            }
        }

        return result.Distinct().Order().ToList();
    }

    public static async Task ReplaceAsync(DbSession session, string entryId, IReadOnlyList<DateTimeOffset> boundaries, CancellationToken ct)
    {
        await session.ExecuteAsync("DELETE FROM validity_boundaries WHERE entry_id = @id", ct, ("id", entryId));
        foreach (var at in boundaries)
        {
            await session.ExecuteAsync("INSERT INTO validity_boundaries (entry_id, at) VALUES (@id, @at)", ct, ("id", entryId), ("at", at));
        }
    }
}

/// A PATCH that moves a validity window replaces the entry's boundaries.
internal sealed record ReplaceValidityBoundaries(IReadOnlyList<DateTimeOffset> Boundaries) : ISideWrite
{
    public Task WriteAsync(DbSession session, string entryId, DateTimeOffset at, CancellationToken ct) =>
        ValidityBoundaries.ReplaceAsync(session, entryId, Boundaries, ct);
}
