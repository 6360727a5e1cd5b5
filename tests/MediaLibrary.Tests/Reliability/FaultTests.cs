using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Api;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Reliability;

public sealed class FaultTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Requests_get_503_while_the_database_is_gone_and_service_resumes_on_its_own()
    {
        // In process: the outage drops this process's pooled connections, as a database restart would.
        var http = await app.ReaderWriterAsync();
        http.Timeout = TimeSpan.FromSeconds(20);
        var id = await http.ImportImageAsync();

        await using (await HealthTests.DatabaseOutageAsync(app))
        {
            // A token already verified is cached for two seconds; wait it out so auth meets the outage too.
            await Task.Delay(2100);
            var started = Stopwatch.StartNew();
            var response = await http.GetAsync($"/api/2026-03/mediaLibrary/{id}");
            var body = await response.Content.ReadAsStringAsync();
            var details = await response.AssertEnvelopeAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
            Assert.Equal("ServiceUnavailable", details.GetProperty("name").GetString());
            Assert.DoesNotContain("SELECT", body, StringComparison.Ordinal);
            await (await http.GetAsync("/healthz")).AssertEnvelopeAsync(HttpStatusCode.ServiceUnavailable);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/2026-03/mediaLibrary/{id}")).StatusCode);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Fact]
    public async Task Sigterm_lets_an_in_flight_upload_finish_then_the_process_exits_cleanly()
    {
        var server = await ServiceProcess.StartAsync(app.Settings());
        await using (server)
        {
            using var http = server.Client();
            http.Timeout = TimeSpan.FromSeconds(30);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([Scopes.Write]));

            var body = new SlowStream(SampleFiles.Jpeg(640, 480, scanBytes: 400_000), TimeSpan.FromSeconds(2));
            var spool = Path.Combine(app.DataDirectory, "tmp");
            var spooling = Directory.Exists(spool) ? Directory.GetFiles(spool).Length : 0;
            var upload = http.PostAsync("/api/2026-03/mediaLibrary/assets?filename=slow.jpg", new StreamContent(body, 16 * 1024));
            // The signal goes once the server is writing the upload to its spool file: sent any
            // earlier, on a busy machine the request may not have started, and then it is refused.
            for (var i = 0; i < 100 && !upload.IsCompleted && (!Directory.Exists(spool) || Directory.GetFiles(spool).Length <= spooling); i++)
            {
                await Task.Delay(20);
            }

            Assert.False(upload.IsCompleted, "the upload finished before the signal");
            Assert.Equal(0, kill(server.ProcessId, 15));

            var response = await upload;
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        }
    }

    /// Hands out its bytes over the given time, like a slow uplink.
    private sealed class SlowStream(byte[] bytes, TimeSpan total) : MemoryStream(bytes)
    {
        private readonly int _chunk = Math.Max(1, (int)(bytes.Length / (total.TotalMilliseconds / 50)));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(50, cancellationToken);
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, _chunk)], cancellationToken);
        }

        public override bool CanSeek => false;
    }
}
