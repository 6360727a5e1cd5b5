using System.Globalization;
using System.Text.Json.Nodes;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Api;

/// A time in a query string: a date (`2026-05-01`, midnight UTC) or an ISO 8601 date-time with a zone.
internal static class QueryTime
{
    public const string Expected = "must be a date like 2026-05-01 or a date-time like 2026-05-01T00:00:00.000Z";

    /// In UTC, or null when the text is neither form. `endOfDay`: a date means the midnight after it.
    public static DateTimeOffset? Parse(string text, bool endOfDay = false)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }

        return MetadataValidator.ParseDateTime(JsonValue.Create(text))?.ToUniversalTime();
    }
}
