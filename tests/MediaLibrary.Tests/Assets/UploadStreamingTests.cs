using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MediaLibrary.Clients;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Assets;

/// Uploads against the real executable over real sockets: a huge body, and a client that vanishes.
public sealed class UploadStreamingTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task A_one_gigabyte_upload_streams_through_with_small_memory()
    {
        var settings = app.Settings();
        settings["MediaLibrary:Upload:MaxBytes"] = (2L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var server = await ServiceProcess.StartAsync(settings);
        using var http = server.Client();
        http.Timeout = TimeSpan.FromMinutes(3);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.CreateTokenAsync([Scopes.Write]));

        const long size = 1L << 30;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = new GeneratedJpeg(size, hash);
        var response = await http.PostAsync("/api/2026-03/mediaLibrary/assets?filename=huge.jpg", new StreamContent(body, 1 << 20));
        var asset = await response.JsonAsync(HttpStatusCode.Created);

        Assert.Equal(size, asset.GetProperty("size").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(hash.GetHashAndReset()), asset.GetProperty("sha256").GetString());
        var peak = server.PeakResidentBytes();
        Assert.True(peak < 300L * 1024 * 1024, $"Peak RSS {peak / (1024 * 1024)} MiB for a 1 GiB upload");
        Assert.Equal(size, new FileInfo(Path.Combine(app.DataDirectory, "assets", asset.GetProperty("key").GetString()!)).Length);
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_upload_leaves_no_key_and_no_spool_file()
    {
        await using var server = await ServiceProcess.StartAsync(app.Settings());
        var token = await app.CreateTokenAsync([Scopes.Write]);
        var keysBefore = await app.KeysAsync();

        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            var stream = socket.GetStream();
            var head = $"POST /api/2026-03/mediaLibrary/assets?filename=cut.jpg HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Length: 50000000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(SampleFiles.Jpeg(100, 100, scanBytes: 4_000_000).AsMemory(0, 4_000_000));
            await stream.FlushAsync();

            await WaitUntilAsync(() => app.SpoolFiles().Length == 1, "the upload to reach the spool");
            socket.Client.LingerState = new LingerOption(true, 0);
        }

        await WaitUntilAsync(() => app.SpoolFiles().Length == 0, "the spool file to be removed");
        Assert.Equal(keysBefore.Order(), (await app.KeysAsync()).Order());
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetAsync("/healthz")).StatusCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// A JPEG header, `size` bytes in all, produced on the fly (never held in memory) and hashed as it goes.
    private sealed class GeneratedJpeg(long size, IncrementalHash hash) : Stream
    {
        private readonly byte[] _head = SampleFiles.Jpeg(4000, 3000, scanBytes: 0)[..^2];
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, size - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = at < _head.Length ? _head[at] : at == size - 2 ? (byte)0xFF : at == size - 1 ? (byte)0xD9 : (byte)(at % 7);
            }

            hash.AppendData(buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
