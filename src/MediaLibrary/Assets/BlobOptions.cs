namespace MediaLibrary.Assets;

/// `MediaLibrary:Blobs`: where asset bytes live.
public sealed class BlobOptions
{
    /// `filesystem` (default, under `<DataDirectory>/assets`) or `s3`.
    public string Provider { get; set; } = "filesystem";

    /// File system root; default `<DataDirectory>/assets`.
    public string? Root { get; set; }

    public S3Options S3 { get; set; } = new();
}

public sealed class S3Options
{
    public string? Bucket { get; set; }

    /// Endpoint of an S3-compatible server (MinIO, Ceph RGW, R2, s3rver); empty for AWS.
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }

    /// Path-style addressing (`host/bucket/key`), which most S3-compatible servers need.
    public bool ForcePathStyle { get; set; } = true;

    /// aws-chunked uploads; off by default because some S3-compatible servers store the framing.
    public bool UseChunkEncoding { get; set; }

    /// Optional prefix inside the bucket, e.g. `media/`.
    public string? Prefix { get; set; }

    /// Create the bucket at start when it does not exist (handy for tests and first runs).
    public bool CreateBucket { get; set; }
}

/// `MediaLibrary:Upload`: limits of `POST /mediaLibrary/assets`.
public sealed class UploadOptions
{
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// MIME types accepted after sniffing the bytes; anything else is 415.
    public string AllowedTypes { get; set; } = string.Join(",", TypeSniffer.DefaultAllowed);
}
