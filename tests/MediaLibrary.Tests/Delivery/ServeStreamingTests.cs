using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Delivery;

/// serve-image on the real executable: a 200 MB original must stream, not be buffered.
public sealed class ServeStreamingTests(TestApp app) : IClassFixture<TestApp>
{
    /// Writes a big JPEG straight into the file store and imports it through the process's API.
    private async Task<string> BigImageAsync(HttpClient http, long size)
    {
        var key = $"bench/{Guid.NewGuid()}.jpg";
        var path = Path.Combine(app.DataDirectory, "assets", key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = File.Create(path))
        {
            var head = SampleFiles.Jpeg(8000, 6000, scanBytes: 0);
            await file.WriteAsync(head.AsMemory(0, head.Length - 2));
            file.SetLength(size);
        }

        var entry = new JsonObject
        {
            ["mediaType"] = "image", ["metadata"] = new JsonObject { ["title"] = "Huge" },
            ["asset"] = new JsonObject { ["key"] = key, ["url"] = "x", ["size"] = size, ["width"] = 8000, ["height"] = 6000, ["mimeType"] = "image/jpeg", ["filename"] = "huge.jpg" },
        };
        var import = await (await http.PostAsync("/api/2026-03/import/mediaLibrary", ApiCalls.Json(new JsonObject { ["mediaLibraryEntries"] = new JsonArray(entry) }))).JsonAsync();
        Assert.True(import.GetProperty("results")[0].GetProperty("ok").GetBoolean(), import.GetRawText());
        return key;
    }

    private async Task<(ServiceProcess Server, HttpClient Http)> StartAsync()
    {
        var server = await ServiceProcess.StartAsync(app.Settings());
        var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(2);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([Scopes.Read, Scopes.Write]));
        return (server, http);
    }

    [Fact]
    public async Task Serving_a_200_megabyte_image_keeps_memory_flat()
    {
        const long size = 200L * 1024 * 1024;
        var (server, http) = await StartAsync();
        await using var _ = server;
        var key = await BigImageAsync(http, size);

        var baseline = server.PeakResidentBytes();
        using var response = await http.GetAsync($"/api/2026-03/mediaLibrary/serve-image/{key}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 20];
        long received = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            received += read;
        }

        Assert.Equal(size, received);
        var growth = server.PeakResidentBytes() - baseline;
        Assert.True(growth < 64L * 1024 * 1024, $"Peak RSS grew by {growth / (1024 * 1024)} MiB while serving 200 MiB");
    }

    [Fact]
    public async Task Clients_that_hang_up_mid_download_leave_no_open_files()
    {
        var (server, http) = await StartAsync();
        await using var _ = server;
        var key = await BigImageAsync(http, 64L * 1024 * 1024);
        var baseline = server.OpenFileCount();

        for (var i = 0; i < 8; i++)
        {
            using var response = await http.GetAsync($"/api/2026-03/mediaLibrary/serve-image/{key}", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[256 * 1024]);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.OpenFileCount() > baseline + 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(server.OpenFileCount() <= baseline + 2, $"{server.OpenFileCount()} descriptors open, {baseline} before");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }
}
