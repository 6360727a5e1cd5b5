using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Tests.Infrastructure;
using static MediaLibrary.Tests.Infrastructure.ApiCalls;

namespace MediaLibrary.Tests.Events;

public sealed class WebhookTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private static JsonElement Parse(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement;

    private IEnumerable<WebhookReceiver.Received> For(string mediaId, string path = "") =>
        app.Receiver.Requests.Where(r => Parse(r).TryGetProperty("mediaId", out var m) && m.GetString() == mediaId);

    [Fact]
    public async Task A_revoke_is_posted_signed_with_the_livingdocs_payload_and_headers()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchOpsAsync(id, Op("revokeAsset", ("note", "expired")));

        await app.Receiver.WaitForAsync(_ => For(id).Count(r => Parse(r).GetProperty("event").GetString() == "mediaLibraryEntry.revoke") == 1, TimeSpan.FromSeconds(10));
        var revoke = For(id).Single(r => Parse(r).GetProperty("event").GetString() == "mediaLibraryEntry.revoke");
        var body = Parse(revoke);

        Assert.Equal("application/json", revoke.ContentType.Split(';')[0]);
        // Livingdocs' algorithm: HMAC-SHA256 over the raw body bytes, "sha256=" + lowercase hex, compared in constant time.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookApp.Secret), revoke.Body));
        Assert.True(CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(revoke.Signature!)));
        Assert.Equal(revoke.DeliveryId, body.GetProperty("deliveryId").GetString());
        Assert.Equal("all", body.GetProperty("webhookHandle").GetString());
        Assert.Equal(2, body.GetProperty("version").GetInt32());
        Assert.Equal("api-client", body.GetProperty("actor").GetProperty("type").GetString());
        Assert.True(body.GetProperty("eventId").GetInt64() > 0);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", body.GetProperty("createdAt").GetString());
        Assert.Equal(["event", "deliveryId", "webhookHandle", "mediaId", "actor", "eventId", "createdAt", "version"], body.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Conditions_and_change_filters_choose_what_a_webhook_gets()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync();
        await client.PatchOpsAsync(id, SetMetadata("caption", "not the credit"));
        await client.PatchOpsAsync(id, SetMetadata("credit", "Agency X"));
        await app.Receiver.WaitUntilAsync(_ => Versions(id, "credit-only").Contains(3) && Versions(id, "all").Contains(3), TimeSpan.FromSeconds(10),
            "version 3 at both webhooks");

        // The marker: a later credit change, which both webhooks want. Each webhook's stream starts
        // its sends in event order, and this change is made only once version 3 has arrived, so
        // anything either webhook wrongly got of versions 1 to 3 arrives before version 4.
        await client.PatchOpsAsync(id, SetMetadata("credit", "Agency Y"));
        await app.Receiver.WaitUntilAsync(_ => Versions(id, "credit-only").Contains(4) && Versions(id, "all").Contains(4), TimeSpan.FromSeconds(10),
            "the marker (version 4) at both webhooks");

        var update = For(id).First(r => Parse(r).GetProperty("webhookHandle").GetString() == "credit-only");
        Assert.Null(update.Signature);
        // Sorted: sends of one stream run side by side, so 2 and 3 may arrive either way round.
        Assert.Equal([3, 4], Versions(id, "credit-only").Order());
        Assert.Equal([1, 2, 3, 4], Versions(id, "all").Order());
    }

    /// The entry versions the webhook was sent.
    private List<int> Versions(string mediaId, string handle) =>
        [.. For(mediaId).Where(r => Parse(r).GetProperty("webhookHandle").GetString() == handle).Select(r => Parse(r).GetProperty("version").GetInt32())];

    [Fact]
    public async Task A_failing_answer_is_retried_with_the_same_delivery_id_and_body()
    {
        var client = await app.ReaderWriterAsync();
        var id = await client.ImportImageAsync(new JsonObject { ["title"] = "retry me" });
        var attempts = 0;
        app.Receiver.Answer = r => Parse(r).TryGetProperty("mediaId", out var m) && m.GetString() == id && Interlocked.Increment(ref attempts) <= 2 ? 503 : 200;
        try
        {
            await client.PatchOpsAsync(id, Op("archive"));
            await app.Receiver.WaitForAsync(_ => For(id).Count(r => Parse(r).GetProperty("event").GetString() != "mediaLibraryEntry.create") >= 3, TimeSpan.FromSeconds(15));
        }
        finally
        {
            app.Receiver.Answer = _ => 200;
        }

        var archive = For(id).Where(r => Parse(r).GetProperty("event").GetString() == "mediaLibraryEntry.archive").ToList();
        Assert.True(archive.Count >= 2, $"{archive.Count} attempts");
        Assert.Single(archive.Select(r => r.DeliveryId).Distinct());
        Assert.Single(archive.Select(r => Convert.ToBase64String(r.Body)).Distinct());
    }
}
