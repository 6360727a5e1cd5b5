using Microsoft.Win32.SafeHandles;

namespace MediaLibrary.Assets;

public sealed record BlobInfo(long Length, DateTimeOffset LastModified);

/// An open blob (or a range of it). `Length` is what `Content` yields; `TotalLength` the whole blob.
public sealed class BlobRead(Stream content, long offset, long length, long totalLength, DateTimeOffset lastModified, SafeFileHandle? file = null)
    : IAsyncDisposable
{
    public Stream Content { get; } = content;
    public long Offset { get; } = offset;
    public long Length { get; } = length;
    public long TotalLength { get; } = totalLength;
    public DateTimeOffset LastModified { get; } = lastModified;

    /// Set by the file system store: delivery reads the file straight into the response's buffers.
    public SafeFileHandle? File { get; } = file;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// Where asset bytes live. Keys are checked with <see cref="BlobKey"/> before any I/O; a key
/// becomes visible only once its bytes are complete.
public interface IBlobStore
{
    string Name { get; }

    Task<BlobInfo?> StatAsync(string key, CancellationToken ct);

    /// Opens `[offset, offset + length)` of the blob (to its end when length is null); null when absent.
    Task<BlobRead?> OpenAsync(string key, long offset, long? length, CancellationToken ct);

    /// Stores a complete local file under the key, atomically. The file is consumed (moved or deleted).
    Task PutFileAsync(string key, string localFile, string contentType, CancellationToken ct);

    Task<bool> DeleteAsync(string key, CancellationToken ct);

    /// Removes what interrupted writes left behind that is older than the given age.
    Task<int> CleanupAsync(TimeSpan olderThan, CancellationToken ct);
}

public sealed class InvalidBlobKeyException(string key, string problem)
    : ArgumentException($"Storage key '{(key.Length > 80 ? key[..80] + "…" : key)}' {problem}.");
