namespace MediaLibrary.Delivery;

/// `MediaLibrary:Transforms`: resizing at the origin (SPEC §11).
public sealed class TransformOptions
{
    /// Sources with more pixels than this are refused (422) before they are decoded: decompression bombs.
    public long MaxSourcePixels { get; set; } = 100_000_000;

    /// Renders at the same time in one process; further requests for new variants wait. Default: the core count.
    public int Concurrency { get; set; } = Environment.ProcessorCount;

    /// Rendered variants kept in the blob store, in bytes; the least recently used go first.
    public long CacheMaxBytes { get; set; } = 1L << 30;

    /// Memory for the bytes of small variants (up to 64 KB each), served without opening a file.
    public long MemoryCacheBytes { get; set; } = 64L << 20;

    /// Memory libvips may keep for its operation cache, in bytes.
    public long VipsCacheMaxBytes { get; set; } = 32L << 20;
}

/// A signing key of signed serve-image URLs: the first configured one signs, all verify.
public sealed class SigningKey
{
    public string Id { get; set; } = "";

    public string Secret { get; set; } = "";
}
