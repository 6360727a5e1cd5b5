using System.Text.Json.Nodes;
using MediaLibrary.References;

namespace MediaLibrary.Tests.References;

public sealed class ReferenceExtractorTests
{
    [Fact]
    public void Content_directives_with_media_ids_are_references_other_values_are_not()
    {
        var content = JsonNode.Parse("""
            [{"id": "c1", "component": "image", "content": {"image": {"mediaId": "m1"}, "caption": "text", "link": {"href": "x"}}},
             {"id": "c2", "component": "gallery", "containers": {"items": [{"id": "c3", "component": "image", "content": {"image": {"mediaId": "m2"}}}]}},
             "not a component", {"id": "c4"}]
            """);
        var references = ReferenceExtractor.FromContent(content);
        Assert.Equal(["m1", "m2"], references.Select(r => r.TargetId));
        Assert.Equal(new Reference("m2", "directive", "c3", "image", "image", null), references[1]);
    }

    [Fact]
    public void Metadata_references_take_both_forms()
    {
        var metadata = JsonNode.Parse("""
            {"teaser": {"mediaId": "m1"}, "video": {"$ref": "video", "reference": {"id": "v1"}},
             "bad": {"$ref": "document", "reference": {"id": "d1"}}, "title": "x"}
            """)!.AsObject();
        Assert.Equal(["m1", "v1"], ReferenceExtractor.FromMetadata(metadata).Select(r => r.TargetId));
    }

    [Fact]
    public void Cursor_round_trips_and_rejects_tampering()
    {
        var cursor = Cursor.Encode("document", "img", "12345");
        Assert.True(Cursor.TryDecode(cursor, "document", "img", out var last));
        Assert.Equal("12345", last);
        Assert.False(Cursor.TryDecode(cursor, "document", "other", out _));
        Assert.False(Cursor.TryDecode(cursor[..^2] + "AA", "document", "img", out _));
        Assert.False(Cursor.TryDecode("!!!", "document", "img", out _));
    }
}
