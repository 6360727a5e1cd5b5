using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;
using MediaLibrary.UsageLog;

namespace MediaLibrary.Tests.Entries;

/// Operations are found by name in one registry: no name falls through to another operation's parser.
public sealed class PatchOperationRegistryTests
{
    private static readonly MediaTypeDefinition Image = MediaTypeCatalog.Parse(JsonNode.Parse("""
        {"mediaTypes": [{"handle": "image", "type": "mediaImage", "asset": {"replaceable": true},
          "metadata": [{"handle": "title", "type": "li-text"}]}]}
        """), "test").Find("image")!;

    private static readonly UsagePurposeCatalog Purposes = UsagePurposeCatalog.Parse(JsonNode.Parse("""[{"handle": "print"}]"""), "test");

    private static readonly Dictionary<string, string> ValidBodies = new()
    {
        ["setMetadataProperty"] = """{"operation": "setMetadataProperty", "propertyName": "title", "value": "t"}""",
        ["replaceAsset"] = """{"operation": "replaceAsset", "value": {"key": "k.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "k.jpg"}}""",
        ["revokeAsset"] = """{"operation": "revokeAsset", "note": "n"}""",
        ["unrevokeAsset"] = """{"operation": "unrevokeAsset"}""",
        ["archive"] = """{"operation": "archive"}""",
        ["removeAsset"] = """{"operation": "removeAsset", "locale": "fr"}""",
        ["addUsageLogEntry"] = """{"operation": "addUsageLogEntry", "value": {"purpose": "print"}}""",
        ["updateUsageLogEntry"] = """{"operation": "updateUsageLogEntry", "usageLogEntryId": "a", "value": {"state": "pending", "purpose": "print"}}""",
        ["removeUsageLogEntry"] = """{"operation": "removeUsageLogEntry", "usageLogEntryId": "a"}""",
    };

    [Fact]
    public void Every_registered_operation_parses_to_its_own_type()
    {
        var names = PatchRequest.OperationNames(ApiVersion.V2026_05).ToList();
        Assert.Equal(ValidBodies.Keys.Order(), names.Order());

        var types = names.Select(name =>
        {
            var shape = new JsonShape();
            var request = PatchRequest.Parse(shape, JsonNode.Parse($$"""{"patches": [{{ValidBodies[name]}}]}"""), Image, Purposes, ApiVersion.V2026_05, 100);
            Assert.True(request is not null, $"{name}: {string.Join(", ", shape.Errors)}");
            return request.Operations.Single().GetType();
        }).ToList();
        Assert.Equal(types.Count, types.Distinct().Count());
    }

    [Fact]
    public void The_operations_in_the_API_reference_are_exactly_the_registered_ones()
    {
        var documented = typeof(PatchOperationRequest).GetCustomAttributes(typeof(JsonDerivedTypeAttribute), false)
            .Cast<JsonDerivedTypeAttribute>().Select(a => (string)a.TypeDiscriminator!);

        Assert.Equal(PatchRequest.OperationNames(ApiVersion.All[^1]).Order(), documented.Order());
    }

    [Theory]
    [InlineData("removeAssets")]
    [InlineData("RemoveAsset")]
    [InlineData("addUsageLogEntry")]
    [InlineData("")]
    public void Names_outside_the_registry_are_no_enum_match_even_with_another_operations_fields(string name)
    {
        var shape = new JsonShape();
        var body = new JsonObject { ["patches"] = new JsonArray(new JsonObject { ["operation"] = name, ["locale"] = "fr" }) };

        Assert.Null(PatchRequest.Parse(shape, body, Image, Purposes, ApiVersion.V2026_03, 100));
        // The known ones of that version follow, as in every enum error (addUsageLogEntry came with 2026-05).
        Assert.Equal($"No enum match for: \"{name}\" (known: {string.Join(", ", PatchRequest.OperationNames(ApiVersion.V2026_03))})", shape.Errors["patches.0.operation"]);
        Assert.Contains("removeAsset", shape.Errors["patches.0.operation"], StringComparison.Ordinal);
        Assert.DoesNotContain("UsageLog", shape.Errors["patches.0.operation"].Split("(known: ")[1], StringComparison.Ordinal);
    }
}
