using System.Globalization;
using System.Text.Json;
using MediaLibrary.References;

namespace MediaLibrary.Search;

/// Where the next page starts, and the snapshot of the first page: `Snapshot` is SQLite's last
/// change sequence or PostgreSQL's `pg_snapshot` text; `Key` the sort time of the last entry as the
/// database wrote it; `Total` the first page's count. Encoded as JSON in the shared opaque
/// <see cref="Cursor"/>, whose check binds it to the search's words and filters.
internal sealed record SearchCursor(SearchSort Sort, string Snapshot, DateTimeOffset TakenAt, int Tier, string Key, string Id, long Total)
{
    private const string List = "search";
    private const int MaxLength = 16_384;

    private sealed record Wire(int V, string S, string N, long T, int R, string K, string I, long C);

    public string Encode(string filters) =>
        Cursor.Encode(List, filters, JsonSerializer.Serialize(new Wire(1, Sort.ToString(), Snapshot, TakenAt.ToUnixTimeMilliseconds(), Tier, Key, Id, Total)));

    /// The cursor, or null when it is not one this search (same words and filters) made.
    public static SearchCursor? Decode(string text, string filters)
    {
        if (!Cursor.TryDecode(text, List, filters, out var json, MaxLength))
        {
            return null;
        }

        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(json);
            if (wire is not { V: 1 } || !Enum.TryParse<SearchSort>(wire.S, out var sort) || !Enum.IsDefined(sort) ||
                string.IsNullOrEmpty(wire.N) || string.IsNullOrEmpty(wire.K) || string.IsNullOrEmpty(wire.I) || wire.I.Length > 64 ||
                wire.R is < 0 or > 1 || wire.C < 0 || !DateTimeOffset.TryParse(wire.K, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                return null;
            }

            return new SearchCursor(sort, wire.N, DateTimeOffset.FromUnixTimeMilliseconds(wire.T), wire.R, wire.K, wire.I, wire.C);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return null;
        }
    }
}
