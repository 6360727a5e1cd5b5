using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MediaLibrary.Assets;

/// Blobs in an S3-compatible bucket. A key appears only when its single PUT or its multipart
/// upload completes; interrupted multipart uploads are aborted by <see cref="CleanupAsync"/>.
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private const long MultipartThreshold = 64L * 1024 * 1024;
    private const long PartSize = 16L * 1024 * 1024;

    private readonly AmazonS3Client _client;
    private readonly S3Options _options;
    private readonly string _prefix;

    public S3BlobStore(S3Options options)
    {
        _options = options;
        _prefix = string.IsNullOrEmpty(options.Prefix) ? "" : options.Prefix.Trim('/') + "/";
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }

        _client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public string Name => "s3";

    private string Bucket => _options.Bucket!;

    private string ObjectKey(string key) =>
        BlobKey.Problem(key) is { } problem ? throw new InvalidBlobKeyException(key, problem) : _prefix + key;

    public async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (!await Amazon.S3.Util.AmazonS3Util.DoesS3BucketExistV2Async(_client, Bucket))
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, ct);
        }
    }

    public async Task<BlobInfo?> StatAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        try
        {
            var head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = objectKey }, ct);
            return new BlobInfo(head.ContentLength, ToOffset(head.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<BlobRead?> OpenAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        if (length == 0)
        {
            // S3 has no empty range: answer from a HEAD.
            var info = await StatAsync(key, ct);
            return info is null ? null : new BlobRead(Stream.Null, offset, 0, info.Length, info.LastModified);
        }

        var request = new GetObjectRequest { BucketName = Bucket, Key = objectKey };
        if (offset > 0 || length is not null)
        {
            request.ByteRange = new ByteRange(offset, length is null ? long.MaxValue : offset + length.Value - 1);
        }

        try
        {
            var response = await _client.GetObjectAsync(request, ct);
            var total = TotalFromContentRange(response.ContentRange) ?? response.ContentLength + offset;
            return new BlobRead(response.ResponseStream, offset, response.ContentLength, total, ToOffset(response.LastModified));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            var info = await StatAsync(key, ct);
            return info is null ? null : new BlobRead(Stream.Null, offset, 0, info.Length, info.LastModified);
        }
    }

    public async Task PutFileAsync(string key, string localFile, string contentType, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        try
        {
            var size = new FileInfo(localFile).Length;
            if (size <= MultipartThreshold)
            {
                await _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = Bucket, Key = objectKey, FilePath = localFile, ContentType = contentType,
                    UseChunkEncoding = _options.UseChunkEncoding,
                }, ct);
            }
            else
            {
                await PutMultipartAsync(objectKey, localFile, size, contentType, ct);
            }
        }
        finally
        {
            File.Delete(localFile);
        }
    }

    private async Task PutMultipartAsync(string objectKey, string localFile, long size, string contentType, CancellationToken ct)
    {
        var upload = await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = Bucket, Key = objectKey, ContentType = contentType }, ct);
        try
        {
            var parts = new List<PartETag>();
            for (long position = 0, number = 1; position < size; position += PartSize, number++)
            {
                var part = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId, PartNumber = (int)number,
                    FilePath = localFile, FilePosition = position, PartSize = Math.Min(PartSize, size - position),
                    UseChunkEncoding = _options.UseChunkEncoding,
                }, ct);
                parts.Add(new PartETag((int)number, part.ETag));
            }

            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId, PartETags = parts,
            }, ct);
        }
        catch
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken ct)
    {
        if (await StatAsync(key, ct) is null)
        {
            return false;
        }

        await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = ObjectKey(key) }, ct);
        return true;
    }

    public async Task<int> CleanupAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var aborted = 0;
        try
        {
            var listing = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _prefix }, ct);
            foreach (var upload in listing.MultipartUploads ?? [])
            {
                if (upload.Initiated is { } started && started.ToUniversalTime() < DateTime.UtcNow - olderThan)
                {
                    await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                    {
                        BucketName = Bucket, Key = upload.Key, UploadId = upload.UploadId,
                    }, ct);
                    aborted++;
                }
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // Some S3-compatible servers cannot list uploads; their lifecycle rules must do it.
        }

        return aborted;
    }

    private static long? TotalFromContentRange(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange![(slash + 1)..], out var total) ? total : null;
    }

    private static DateTimeOffset ToOffset(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;

    public void Dispose() => _client.Dispose();
}
