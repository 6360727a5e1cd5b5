using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Entries;

public sealed class MediaTypesConfigTests(TestApp app) : IClassFixture<TestApp>
{
    [Theory]
    [InlineData("""{"mediaTypes": [{"handle": "image", "type": "mediaImage", "metadata": [{"handle": "title", "type": "li-txt"}]}]}""", "media type 'image', property 'title' has unknown type 'li-txt'")]
    [InlineData("""{"mediaTypes": [{"handle": "poster", "type": "mediaPoster"}]}""", "media type 'poster' has type 'mediaPoster'")]
    [InlineData("""{"mediaTypes": [{"handle": "image", "type": "mediaImage", "metadata": [{"handle": "source", "type": "li-enum"}]}]}""", "property 'source' (li-enum) needs config.options")]
    [InlineData("""{"mediaTypes": [{"handle": "image", "type": "mediaImage", "metadata": [{"handle": "a", "type": "li-text"}, {"handle": "a", "type": "li-text"}]}]}""", "property 'a' is defined twice")]
    [InlineData("""{"types": []}""", "expected an object with a \"mediaTypes\" array")]
    [InlineData("""{"mediaTypes": [ oops""", "Cannot read media types")]
    public async Task A_broken_media_types_file_stops_the_start_naming_the_type_and_property(string config, string message)
    {
        var file = Path.Combine(app.DataDirectory, Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, config);
        var settings = app.Settings();
        settings["MediaLibrary:MediaTypesFile"] = file;

        var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
