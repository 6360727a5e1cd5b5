using System.Net;
using MediaLibrary.Assets;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Assets;

public sealed class LimitedUploadApp : TestApp
{
    public LimitedUploadApp()
    {
        Overrides["MediaLibrary:Upload:MaxBytes"] = "5000";
        Overrides["MediaLibrary:Upload:AllowedTypes"] = "image/jpeg, application/pdf";
    }
}

public sealed class UploadLimitTests(LimitedUploadApp app) : IClassFixture<LimitedUploadApp>
{
    private async Task<HttpResponseMessage> PostAsync(HttpContent content)
    {
        var client = await app.ClientAsync(Scopes.Write);
        return await client.PostAsync("/api/2026-03/mediaLibrary/assets?filename=x.jpg", content);
    }

    [Fact]
    public async Task Body_over_the_limit_with_a_declared_length_is_413()
    {
        var before = await app.KeysAsync();
        var details = await (await PostAsync(new ByteArrayContent(SampleFiles.Jpeg(10, 10, scanBytes: 6000)))).AssertEnvelopeAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("5000 bytes", details.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before.Order(), (await app.KeysAsync()).Order());
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413_and_leaves_no_spool_file()
    {
        // A non-seekable stream has no length, so the client sends it chunked.
        var before = await app.KeysAsync();
        var content = new StreamContent(new NonSeekable(SampleFiles.Jpeg(10, 10, scanBytes: 20_000)));
        await (await PostAsync(content)).AssertEnvelopeAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before.Order(), (await app.KeysAsync()).Order());
        Assert.Empty(app.SpoolFiles());
    }

    [Fact]
    public async Task Types_outside_the_configured_allow_list_are_415()
    {
        var details = await (await PostAsync(new ByteArrayContent(SampleFiles.Png(10, 10)))).AssertEnvelopeAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("image/png", details.GetProperty("message").GetString(), StringComparison.Ordinal);
        await (await PostAsync(new ByteArrayContent(SampleFiles.Pdf()))).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Stale_temporaries_are_swept_and_fresh_ones_stay()
    {
        var spool = Path.Combine(app.DataDirectory, "tmp");
        var storeTemp = Path.Combine(app.DataDirectory, "assets", ".tmp");
        Directory.CreateDirectory(spool);
        Directory.CreateDirectory(storeTemp);
        var stale = new[] { Path.Combine(spool, "old.upload"), Path.Combine(storeTemp, "old") };
        var fresh = Path.Combine(spool, "fresh.upload");
        foreach (var file in stale.Append(fresh))
        {
            await File.WriteAllBytesAsync(file, [1, 2, 3]);
        }

        foreach (var file in stale)
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        var removed = await app.Services.GetRequiredService<TempSweeper>().SweepAsync(TempSweeper.MinimumAge, CancellationToken.None);

        Assert.Equal(2, removed);
        Assert.All(stale, file => Assert.False(File.Exists(file)));
        Assert.True(File.Exists(fresh));
        File.Delete(fresh);
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
