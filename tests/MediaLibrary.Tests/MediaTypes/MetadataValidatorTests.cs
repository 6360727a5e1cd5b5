using System.Text.Json.Nodes;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Tests.MediaTypes;

public sealed class MetadataValidatorTests
{
    private static MetadataProperty Property(string type, string config = "{}") =>
        MetadataValidator.ParseProperty(JsonNode.Parse($$"""{"handle": "p", "type": "{{type}}", "config": {{config}}}"""), "test");

    [Theory]
    [InlineData("li-text", "{\"maxLength\": 5}", "\"short\"", true)]
    [InlineData("li-text", "{\"maxLength\": 5}", "\"too long\"", false)]
    [InlineData("li-text", "{}", "5", false)]
    [InlineData("li-boolean", "{}", "true", true)]
    [InlineData("li-boolean", "{}", "\"true\"", false)]
    [InlineData("li-integer", "{\"min\": 1, \"max\": 3}", "2", true)]
    [InlineData("li-integer", "{\"min\": 1, \"max\": 3}", "4", false)]
    [InlineData("li-integer", "{}", "1.5", false)]
    [InlineData("li-date", "{}", "\"2026-03-14\"", true)]
    [InlineData("li-date", "{}", "\"2026-02-30\"", false)]
    [InlineData("li-datetime", "{}", "\"2026-03-14T09:19:00.928Z\"", true)]
    [InlineData("li-datetime", "{}", "\"2026-03-14\"", false)]
    [InlineData("li-datetime", "{}", "\"2026-03-14T09:19:00+02:00\"", true)]
    [InlineData("li-datetime", "{}", "\"2026-03-14T09:19Z\"", true)]
    [InlineData("li-datetime", "{}", "\"Tue, 14 Mar 2026 09:19:00 GMT\"", false)]
    [InlineData("li-datetime", "{}", "\"2026-03-14T09:19:00\"", false)]
    [InlineData("li-datetime", "{}", "\"2026-03-14 09:19:00Z\"", false)]
    [InlineData("li-datetime", "{}", "\"2026-13-14T09:19:00Z\"", false)]
    [InlineData("li-datetime", "{}", "\"14/03/2026T09:19:00Z\"", false)]
    [InlineData("li-datetime", "{}", "\"２０２６-03-14T09:19:00Z\"", false)]
    [InlineData("li-datetime-validity", "{}", "{\"from\": \"Tue, 14 Mar 2026 09:19:00 GMT\"}", false)]
    [InlineData("li-datetime-validity", "{}", "{\"from\": \"2026-03-14T09:19:00Z\", \"to\": \"2026-03-15T09:19:00.5+01:00\"}", true)]
    [InlineData("li-enum", "{\"options\": [{\"label\": \"A\", \"value\": \"a\"}, \"b\"]}", "\"b\"", true)]
    [InlineData("li-enum", "{\"options\": [{\"label\": \"A\", \"value\": \"a\"}]}", "\"A\"", false)]
    [InlineData("li-string-list", "{\"maxItems\": 2}", "[\"a\", \"b\"]", true)]
    [InlineData("li-string-list", "{\"maxItems\": 2}", "[\"a\", \"b\", \"c\"]", false)]
    [InlineData("li-string-list", "{}", "[\"a\", 1]", false)]
    [InlineData("li-invalid", "{}", "false", true)]
    [InlineData("li-invalid", "{}", "0", false)]
    [InlineData("li-datetime-validity", "{}", "{\"from\": \"2026-01-01T00:00:00Z\"}", true)]
    [InlineData("li-datetime-validity", "{}", "{\"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2025-01-01T00:00:00Z\"}", false)]
    [InlineData("li-datetime-validity", "{}", "{\"until\": \"2026-01-01T00:00:00Z\"}", false)]
    [InlineData("li-image", "{}", "{\"mediaId\": \"yLBGtTjWN4ba\"}", true)]
    [InlineData("li-image", "{}", "{\"id\": \"yLBGtTjWN4ba\"}", false)]
    [InlineData("li-video-reference", "{}", "{\"$ref\": \"video\", \"reference\": {\"id\": \"v1\"}}", true)]
    [InlineData("li-video-reference", "{}", "{\"$ref\": \"image\", \"reference\": {\"id\": \"v1\"}}", false)]
    [InlineData("li-poster-image", "{}", "{\"$ref\": \"image\", \"reference\": {\"id\": \"i1\"}}", true)]
    [InlineData("li-poster-image", "{}", "{\"mediaId\": \"i1\"}", true)]
    [InlineData("li-poster-image", "{}", "\"i1\"", false)]
    [InlineData("li-metadata-translations", "{}", "{\"fr\": {\"title\": \"Port\"}}", true)]
    [InlineData("li-metadata-translations", "{}", "{\"F R\": {}}", false)]
    public void Values_are_checked_against_type_and_config(string type, string config, string value, bool valid)
    {
        var problem = MetadataValidator.Problem(Property(type, config), JsonNode.Parse(value)!);
        Assert.True(valid == (problem is null), problem ?? "accepted");
    }

    [Fact]
    public void Every_documented_type_is_supported() =>
        Assert.Equal(14, MetadataValidator.Types.Count);

    [Fact]
    public void A_property_s_ui_label_is_kept_and_a_ui_that_is_not_an_object_with_a_text_label_stops_the_start()
    {
        var property = MetadataValidator.ParseProperty(System.Text.Json.Nodes.JsonNode.Parse("""{"handle": "credit", "type": "li-text", "ui": {"label": "Credit line"}}"""), "media type 'image'");
        Assert.Equal("Credit line", property.Ui!["label"]!.GetValue<string>());
        Assert.Null(MetadataValidator.ParseProperty(System.Text.Json.Nodes.JsonNode.Parse("""{"handle": "credit", "type": "li-text"}"""), "media type 'image'").Ui);
        foreach (var ui in new[] { "\"Credit\"", "{\"label\": 5}", "[]" })
        {
            var e = Assert.Throws<MediaLibrary.Hosting.StartupException>(() =>
                MetadataValidator.ParseProperty(System.Text.Json.Nodes.JsonNode.Parse($$"""{"handle": "credit", "type": "li-text", "ui": {{ui}}}"""), "media type 'image'"));
            Assert.Contains("property 'credit'", e.Message, StringComparison.Ordinal);
            Assert.Contains("\"ui\"", e.Message, StringComparison.Ordinal);
        }
    }
}
