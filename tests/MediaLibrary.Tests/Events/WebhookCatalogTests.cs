using System.Text.Json.Nodes;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Tests.Events;

/// The `webhooks` of the project config: checked at start, and what each webhook receives.
public sealed class WebhookCatalogTests
{
    private static readonly MediaTypeCatalog Types = MediaTypeCatalog.Load(new MediaLibraryOptions());

    private static WebhookCatalog Parse(string json, Func<string, string?>? environment = null) =>
        WebhookCatalog.Parse(JsonNode.Parse(json), "test", Types, allowPrivateTargets: false, environment ?? (_ => null));

    private static EventRow Event(string name, string? mediaType = "image", string? changed = null) =>
        new() { Name = name, MediaId = "m", MediaType = mediaType, Changed = changed, ActorType = "api-client" };

    [Theory]
    [InlineData("""{"configurations": [{"url": "https://h.example/x", "events": ["mediaLibraryEntry.revoke"]}]}""", "needs a \"handle\"")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "ftp://h.example/x", "events": ["mediaLibraryEntry.revoke"]}]}""", "webhook 'a' needs a \"url\"")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "events": ["mediaLibraryEntry.destroy"]}]}""", "webhook 'a' subscribes to unknown event")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "events": []}]}""", "webhook 'a' subscribes to no event")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "secret": {"$env": "NOPE"}, "events": ["mediaLibraryEntry.revoke"]}]}""", "environment variable NOPE")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "events": [{"name": "mediaLibraryEntry.update", "conditions": {"mediaTypes": ["podcast"]}}]}]}""", "names 'podcast'")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "events": [{"name": "mediaLibraryEntry.revoke", "changeFilter": {"metadataProperties": ["credit"]}}]}]}""", "changeFilter applies to mediaLibraryEntry.update only")]
    [InlineData("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "events": ["mediaLibraryEntry.revoke"]}, {"handle": "a", "url": "https://h.example/y", "events": ["mediaLibraryEntry.revoke"]}]}""", "webhook 'a' is defined twice")]
    public void A_bad_configuration_stops_the_start_naming_the_webhook(string json, string message)
    {
        var error = Assert.Throws<StartupException>(() => Parse(json));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_from_the_environment_is_read()
    {
        var catalog = Parse("""{"configurations": [{"handle": "a", "url": "https://h.example/x", "secret": {"$env": "HOOK"}, "events": ["mediaLibraryEntry.revoke"]}]}""",
            name => name == "HOOK" ? "from-env" : null);
        Assert.Equal("from-env"u8.ToArray(), Assert.Single(catalog.All).Secret);
    }

    [Fact]
    public void Conditions_and_change_filters_choose_the_events()
    {
        var catalog = Parse("""
            {"configurations": [{"handle": "a", "url": "https://h.example/x", "events": [
              {"name": "mediaLibraryEntry.update", "conditions": {"mediaTypes": ["video"]}, "changeFilter": {"metadataProperties": ["credit"]}}]}]}
            """);

        Assert.Single(catalog.Matching(Event("mediaLibraryEntry.update", "video", "[\"caption\",\"credit\"]")));
        Assert.Empty(catalog.Matching(Event("mediaLibraryEntry.update", "image", "[\"credit\"]")));
        Assert.Empty(catalog.Matching(Event("mediaLibraryEntry.update", "video", "[\"caption\"]")));
        Assert.Empty(catalog.Matching(Event("mediaLibraryEntry.update", "video")));
        Assert.Empty(catalog.Matching(Event("mediaLibraryEntry.revoke", "video")));
        Assert.Empty(catalog.Matching(Event("document.publish", null)));
    }

    [Theory]
    [InlineData("""{"active": false, "configurations": [{"handle": "a", "url": "https://h.example/x", "events": ["mediaLibraryEntry.revoke"]}]}""")]
    [InlineData("""{"configurations": [{"handle": "a", "active": false, "url": "https://h.example/x", "events": ["mediaLibraryEntry.revoke"]}]}""")]
    public void Inactive_webhooks_receive_nothing(string json) =>
        Assert.Empty(Parse(json).Matching(Event("mediaLibraryEntry.revoke")));
}
