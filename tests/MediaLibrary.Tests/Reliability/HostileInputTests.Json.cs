using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Storage;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MediaLibrary.Tests.Reliability;

/// The JSON the hostile requests are made of: random near-misses of our bodies and every single-node mutation of a valid one.
public sealed partial class HostileInputTests
{
    /// Random JSON that mostly looks like our requests: known property names, wrong shapes.
    private static JsonNode? RandomJson(Random random, int depth)
    {
        string[] names = ["patches", "operation", "value", "propertyName", "version", "mediaLibraryEntries", "documents", "systemName", "asset", "key", "metadata", "locale", "note", "id"];
        switch (depth > 4 ? random.Next(3) : random.Next(6))
        {
            case 0:
                return WrongValues[random.Next(WrongValues.Length)]?.DeepClone();
            case 1:
                return random.Next(-5, 5);
            case 2:
                return names[random.Next(names.Length)];
            case 3:
                return new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))]);
            default:
                var obj = new JsonObject();
                foreach (var name in names.OrderBy(_ => random.Next()).Take(random.Next(1, 5)))
                {
                    obj[name] = RandomJson(random, depth + 1);
                }

                return obj;
        }
    }

    private static IEnumerable<JsonObject> PatchTemplates()
    {
        yield return JsonNode.Parse("""{"version": 1, "preserveUpdatedAt": false, "patches": [{"operation": "setMetadataProperty", "propertyName": "caption", "value": "x"}]}""")!.AsObject();
        yield return JsonNode.Parse("""{"patches": [{"operation": "replaceAsset", "value": {"key": "2000/01/01/missing.jpg", "url": "u", "size": 1, "width": 1, "height": 1, "mimeType": "image/jpeg", "filename": "m.jpg"}}]}""")!.AsObject();
        yield return JsonNode.Parse("""{"patches": [{"operation": "revokeAsset", "note": "n"}, {"operation": "removeAsset", "locale": "fr"}, {"operation": "archive"}]}""")!.AsObject();
        yield return JsonNode.Parse("""{"patches": [{"operation": "setMetadataProperty", "propertyName": "validity", "value": {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"}}]}""")!.AsObject();
    }

    /// The template with one node (object property or array item) replaced by each wrong value, and one unknown property added per object.
    private static IEnumerable<(string Path, JsonObject Mutated)> Mutations(JsonObject template)
    {
        var paths = new List<string>();
        Collect(template, "", paths);
        foreach (var path in paths)
        {
            foreach (var wrong in WrongValues)
            {
                var copy = (JsonObject)template.DeepClone();
                Replace(copy, path, wrong?.DeepClone());
                yield return ($"{path}={Short(wrong?.ToJsonString() ?? "null")}", copy);
            }

            if (Find(template, path) is JsonObject)
            {
                var extra = (JsonObject)template.DeepClone();
                ((JsonObject)Find(extra, path)!)["unexpected"] = 1;
                yield return ($"{path}+unexpected", extra);
            }
        }
    }

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        if (path.Length > 0)
        {
            paths.Add(path);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Collect(child, path.Length == 0 ? name : $"{path}/{name}", paths);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Collect(array[i], $"{path}/{i}", paths);
                }

                break;
        }
    }

    private static JsonNode? Find(JsonNode root, string path) =>
        path.Split('/').Aggregate((JsonNode?)root, (node, part) => node is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part]);

    private static void Replace(JsonNode root, string path, JsonNode? value)
    {
        var cut = path.LastIndexOf('/');
        var parent = cut < 0 ? root : Find(root, path[..cut]);
        var last = path[(cut + 1)..];
        if (parent is JsonArray array)
        {
            array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else if (parent is JsonObject obj)
        {
            obj[last] = value;
        }
    }

    private static string Short(string text) => text.Length > 30 ? text[..30] + "…" : text;
}
