using System.Security.Cryptography;
using MediaLibrary.Assets;
using MediaLibrary.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Assets;

public sealed class FileSystemBlobStoreTests(TestApp app) : BlobStoreTests(app), IClassFixture<TestApp>;

public sealed class S3BlobStoreTests(S3TestApp app) : BlobStoreTests(app), IClassFixture<S3TestApp>
{
    [Fact]
    public async Task Large_files_go_up_in_parts_and_come_back_byte_for_byte()
    {
        // Above the single-PUT threshold (64 MiB): a completed multipart upload.
        await RoundTripAsync(70 * 1024 * 1024);
    }
}

/// The blob-store contract, for every implementation.
public abstract class BlobStoreTests(TestApp app)
{
    private IBlobStore Store => app.Services.GetRequiredService<IBlobStore>();

    protected async Task RoundTripAsync(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var key = $"tests/{Guid.NewGuid()}.bin";
        var local = Path.Combine(app.DataDirectory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(local, bytes);

        await Store.PutFileAsync(key, local, "application/octet-stream", CancellationToken.None);

        Assert.False(File.Exists(local));
        var info = await Store.StatAsync(key, CancellationToken.None);
        Assert.Equal(size, info?.Length);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData((await app.ReadAsync(key))!));
    }

    [Fact]
    public async Task A_put_comes_back_with_the_exact_byte_count()
    {
        // s3rver with aws-chunked encoding once stored 3,003,415 bytes for a 3,000,000-byte put.
        await RoundTripAsync(3_000_000);
    }

    [Fact]
    public async Task Ranges_are_read_from_the_store()
    {
        var key = $"tests/{Guid.NewGuid()}.bin";
        var local = Path.Combine(app.DataDirectory, Guid.NewGuid().ToString("N"));
        var bytes = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
        await File.WriteAllBytesAsync(local, bytes);
        await Store.PutFileAsync(key, local, "application/octet-stream", CancellationToken.None);

        await using var range = await Store.OpenAsync(key, 100, 50, CancellationToken.None);
        Assert.NotNull(range);
        Assert.Equal(50, range.Length);
        Assert.Equal(1000, range.TotalLength);
        var copy = new MemoryStream();
        await range.Content.CopyToAsync(copy);
        Assert.Equal(bytes[100..150], copy.ToArray());
    }

    [Fact]
    public async Task Missing_keys_are_absent_and_deletes_remove_keys()
    {
        var key = $"tests/{Guid.NewGuid()}.bin";
        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
        Assert.Null(await Store.OpenAsync(key, 0, null, CancellationToken.None));
        Assert.False(await Store.DeleteAsync(key, CancellationToken.None));

        var local = Path.Combine(app.DataDirectory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(local, [1, 2, 3]);
        await Store.PutFileAsync(key, local, "application/octet-stream", CancellationToken.None);
        Assert.True(await Store.DeleteAsync(key, CancellationToken.None));
        Assert.Null(await Store.StatAsync(key, CancellationToken.None));
    }

    public static TheoryData<string> HostileKeys => new()
    {
        "../outside.jpg",
        "2026/../../outside.jpg",
        "/etc/passwd",
        "a\\b.jpg",
        "a\0b.jpg",
        "a//b.jpg",
        "a/./b.jpg",
        ".tmp/x.jpg",
        "",
        "x/" + new string('a', 600),
        "line\nbreak.jpg",
        "space here.jpg",
        "%2e%2e/x.jpg",
    };

    [Theory]
    [MemberData(nameof(HostileKeys))]
    public async Task Hostile_keys_are_refused_before_storage_is_touched(string key)
    {
        var before = await app.KeysAsync();
        var local = Path.Combine(app.DataDirectory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(local, [1, 2, 3]);

        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.StatAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.OpenAsync(key, 0, null, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.PutFileAsync(key, local, "image/jpeg", CancellationToken.None));
        await Assert.ThrowsAsync<InvalidBlobKeyException>(() => Store.DeleteAsync(key, CancellationToken.None));

        Assert.True(File.Exists(local));
        Assert.Equal(before.Order(), (await app.KeysAsync()).Order());
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(app.DataDirectory)!, "outside.jpg")));
    }
}
