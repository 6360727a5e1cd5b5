using System.Net;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.MediaTypes;

public sealed class MediaTypeEndpointTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Media_types_are_listed_as_configured_for_readers_only()
    {
        var client = await app.ClientAsync(MediaLibrary.Clients.Scopes.Read);
        var types = (await (await client.GetAsync("/api/2026-05/mediaTypes")).JsonAsync()).GetProperty("results");
        Assert.Equal(["image", "video", "file"], types.EnumerateArray().Select(t => t.GetProperty("handle").GetString()));
        var image = types[0];
        Assert.Equal("mediaImage", image.GetProperty("type").GetString());
        Assert.True(image.GetProperty("asset").GetProperty("replaceable").GetBoolean());
        var title = image.GetProperty("metadata").EnumerateArray().First(p => p.GetProperty("handle").GetString() == "title");
        Assert.Equal("li-text", title.GetProperty("type").GetString());
        Assert.True(title.GetProperty("required").GetBoolean());
        Assert.Equal(200, title.GetProperty("config").GetProperty("maxLength").GetInt32());
        // Livingdocs' metadata config: ui.label names the property in forms.
        Assert.Equal("Title", title.GetProperty("ui").GetProperty("label").GetString());
        var source = image.GetProperty("metadata").EnumerateArray().First(p => p.GetProperty("handle").GetString() == "source");
        Assert.Equal("agency", source.GetProperty("config").GetProperty("options")[0].GetProperty("value").GetString());

        var writer = await app.ClientAsync(MediaLibrary.Clients.Scopes.Write);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/api/2026-05/mediaTypes")).StatusCode);
    }
}
