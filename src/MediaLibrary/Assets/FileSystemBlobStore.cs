using Microsoft.Win32.SafeHandles;

namespace MediaLibrary.Assets;

/// Blobs as files under a root folder. Writes land in `<root>/.tmp` (flushed to disk) and are
/// renamed into place, so a key is either absent or complete.
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string _root;
    private readonly string _temp;

    public FileSystemBlobStore(string root)
    {
        _root = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        _temp = Path.Combine(_root, ".tmp");
        Directory.CreateDirectory(_temp);
    }

    public string Name => "filesystem";

    public string PathOf(string key)
    {
        if (BlobKey.Problem(key) is { } problem)
        {
            throw new InvalidBlobKeyException(key, problem);
        }

        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Defence in depth: BlobKey already refuses '..', absolute paths and backslashes.
        if (!path.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new InvalidBlobKeyException(key, "leaves the storage root");
        }

        return path;
    }

    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? new BlobInfo(file.Length, file.LastWriteTimeUtc) : null);
    }

    public Task<BlobRead?> OpenAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var path = PathOf(key);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<BlobRead?>(null);
        }

        var total = RandomAccess.GetLength(handle);
        var start = Math.Min(offset, total);
        var count = Math.Min(length ?? total - start, total - start);
        var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0) { Position = start };
        var lastModified = File.GetLastWriteTimeUtc(handle);
        return Task.FromResult<BlobRead?>(new BlobRead(new BoundedStream(stream, count), start, count, total, lastModified, handle));
    }

    public async Task PutFileAsync(string key, string localFile, string contentType, CancellationToken ct)
    {
        var target = PathOf(key);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            // A rename when the spool is on the same file system; otherwise a copy into our own temp.
            File.Move(localFile, temp);
            await using (var flush = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1))
            {
                flush.Flush(flushToDisk: true);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temp, target, overwrite: false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task<bool> DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    public Task<int> CleanupAsync(TimeSpan olderThan, CancellationToken ct) =>
        Task.FromResult(DeleteOldFiles(_temp, DateTime.UtcNow - olderThan));

    internal static int DeleteOldFiles(string folder, DateTime before)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < before)
            {
                try
                {
                    file.Delete();
                    deleted++;
                }
                catch (IOException)
                {
                }
            }
        }

        return deleted;
    }
}
