namespace MediaLibrary.Assets;

/// Cheap end-of-file checks that catch truncated uploads without decoding anything.
internal static class FileIntegrity
{
    private const int TailBytes = 64 * 1024;

    public static string? Problem(string path, DetectedType type)
    {
        if (type != TypeSniffer.Jpeg && type != TypeSniffer.Png)
        {
            return null;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var length = (int)Math.Min(file.Length, TailBytes);
        var tail = new byte[length];
        file.Position = file.Length - length;
        file.ReadExactly(tail);

        if (type == TypeSniffer.Jpeg)
        {
            // FF D9 (end of image) cannot occur inside entropy-coded data, so its absence near
            // the end means the file was cut off.
            return tail.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0 && file.Length > 4 ? null : "The JPEG file is truncated: it has no end-of-image marker.";
        }

        return tail.AsSpan().IndexOf("IEND"u8) >= 0 ? null : "The PNG file is truncated: it has no IEND chunk.";
    }
}
