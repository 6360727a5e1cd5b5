using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaLibrary.Api;

/// JSON we stored ourselves, written into an answer as it is instead of being parsed and
/// serialised again (the hot path of GET and list answers).
[JsonConverter(typeof(RawJsonConverter))]
public readonly record struct RawJson(string Json)
{
    private sealed class RawJsonConverter : JsonConverter<RawJson>
    {
        public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            return new RawJson(document.RootElement.GetRawText());
        }

        public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
