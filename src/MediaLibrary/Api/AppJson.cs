using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaLibrary.Api;

/// JSON as SPEC §1 wants it: camelCase, UTF-8, timestamps ISO-8601 UTC with milliseconds.
internal static class AppJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Answers are application/json, never HTML: keep "l'aube" readable instead of "l\u0027aube".
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new UtcMillisecondsConverter());
        return options;
    }

    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        {
            Span<byte> text = stackalloc byte[TimestampLength];
            WriteTimestamp(value, text);
            writer.WriteStringValue(text);
        }
    }

    private const int TimestampLength = 24;

    /// "2026-03-14T09:19:00.928Z": SPEC's format, and how SQLite stores timestamps (sortable as text).
    public static string Format(DateTimeOffset value) =>
        string.Create(TimestampLength, value, static (chars, at) =>
        {
            Span<byte> text = stackalloc byte[TimestampLength];
            WriteTimestamp(at, text);
            for (var i = 0; i < TimestampLength; i++)
            {
                chars[i] = (char)text[i];
            }
        });

    // Digits by hand: the general DateTime formatter was a visible share of a list's CPU.
    private static void WriteTimestamp(DateTimeOffset value, Span<byte> text)
    {
        var at = value.UtcDateTime;
        Digits(text[..4], at.Year);
        text[4] = (byte)'-';
        Digits(text.Slice(5, 2), at.Month);
        text[7] = (byte)'-';
        Digits(text.Slice(8, 2), at.Day);
        text[10] = (byte)'T';
        Digits(text.Slice(11, 2), at.Hour);
        text[13] = (byte)':';
        Digits(text.Slice(14, 2), at.Minute);
        text[16] = (byte)':';
        Digits(text.Slice(17, 2), at.Second);
        text[19] = (byte)'.';
        Digits(text.Slice(20, 3), at.Millisecond);
        text[23] = (byte)'Z';

        static void Digits(Span<byte> into, int number)
        {
            for (var i = into.Length - 1; i >= 0; i--)
            {
                into[i] = (byte)('0' + (number % 10));
                number /= 10;
            }
        }
    }
}
