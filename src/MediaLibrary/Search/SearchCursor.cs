using System.Globalization;
using System.Text.Json;

namespace MediaLibrary.Search;

/// Where the next page starts, and the snapshot of the first page: `Snapshot` is SQLite's last
/// change sequence or PostgreSQL's `pg_snapshot` text; `Key` the sort time of the last entry as the
/// database wrote it; `Total` the first page's count. Opaque to clients (base64url JSON).
internal sealed record SearchCursor(SearchSort Sort, string Snapshot, DateTimeOffset TakenAt, int Tier, string Key, string Id, long Total, string Filters)
{
    private sealed record Wire(int V, string S, string N, long T, int R, string K, string I, long C, string F);

    public string Encode()
    {
        var wire = new Wire(1, Sort.ToString(), Snapshot, TakenAt.ToUnixTimeMilliseconds(), Tier, Key, Id, Total, Filters);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(wire);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static SearchCursor? Decode(string text)
    {
        if (text.Length > 16_384)
        {
            return null;
        }

        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var wire = JsonSerializer.Deserialize<Wire>(Convert.FromBase64String(base64));
            if (wire is not { V: 1 } || !Enum.TryParse<SearchSort>(wire.S, out var sort) || !Enum.IsDefined(sort) ||
                string.IsNullOrEmpty(wire.N) || string.IsNullOrEmpty(wire.K) || string.IsNullOrEmpty(wire.I) || wire.I.Length > 64 ||
                wire.F is null || wire.R is < 0 or > 1 || wire.C < 0 || !DateTimeOffset.TryParse(wire.K, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                return null;
            }

            return new SearchCursor(sort, wire.N, DateTimeOffset.FromUnixTimeMilliseconds(wire.T), wire.R, wire.K, wire.I, wire.C, wire.F);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
