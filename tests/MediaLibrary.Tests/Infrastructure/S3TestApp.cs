using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using MediaLibrary.Assets;
using Microsoft.Extensions.DependencyInjection;

namespace MediaLibrary.Tests.Infrastructure;

/// The service with its assets in a fresh bucket of the S3-compatible server that test.sh starts
/// (s3rver on loopback, address in MEDIALIBRARY_TEST_S3).
public class S3TestApp : TestApp
{
    public static string? Endpoint => Environment.GetEnvironmentVariable("MEDIALIBRARY_TEST_S3");

    public string Bucket { get; } = "ml-test-" + Guid.NewGuid().ToString("N")[..12];

    public override Task InitializeAsync()
    {
        if (string.IsNullOrEmpty(Endpoint))
        {
            throw new InvalidOperationException("MEDIALIBRARY_TEST_S3 is not set: run the suite with ./test.sh, which starts s3rver.");
        }

        Overrides["MediaLibrary:Blobs:Provider"] = "s3";
        Overrides["MediaLibrary:Blobs:S3:Bucket"] = Bucket;
        Overrides["MediaLibrary:Blobs:S3:ServiceUrl"] = Endpoint;
        Overrides["MediaLibrary:Blobs:S3:AccessKey"] = "S3RVER";
        Overrides["MediaLibrary:Blobs:S3:SecretKey"] = "S3RVER";
        Overrides["MediaLibrary:Blobs:S3:CreateBucket"] = "true";
        return base.InitializeAsync();
    }

    public static AmazonS3Client Client() => new(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config
    {
        ServiceURL = Endpoint, ForcePathStyle = true,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });
}

public static class StoredBlobs
{
    /// Every visible key of the app's blob store (temporaries excluded).
    public static async Task<List<string>> KeysAsync(this TestApp app)
    {
        if (app is S3TestApp s3)
        {
            using var client = S3TestApp.Client();
            var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket });
            return (listing.S3Objects ?? []).Select(o => o.Key).ToList();
        }

        var root = Path.Combine(app.DataDirectory, "assets");
        return !Directory.Exists(root)
            ? []
            : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(root, f))
                .Where(k => !k.StartsWith(".tmp", StringComparison.Ordinal))
                .ToList();
    }

    public static async Task<byte[]?> ReadAsync(this TestApp app, string key)
    {
        var store = app.Services.GetRequiredService<IBlobStore>();
        await using var blob = await store.OpenAsync(key, 0, null, CancellationToken.None);
        if (blob is null)
        {
            return null;
        }

        var copy = new MemoryStream();
        await blob.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static string[] SpoolFiles(this TestApp app)
    {
        var spool = Path.Combine(app.DataDirectory, "tmp");
        return Directory.Exists(spool) ? Directory.GetFiles(spool) : [];
    }
}
