using System.Text;

namespace MediaLibrary.Assets;

public enum AssetKind
{
    Image,
    Video,
    File,
}

public sealed record DetectedType(string MimeType, string Extension, AssetKind Kind);

/// Detects a file's type from its first bytes; never from the client's Content-Type or name.
public static class TypeSniffer
{
    /// Enough bytes for every signature below, including an SVG root after an XML prolog.
    public const int HeaderBytes = 4096;

    public static readonly DetectedType Jpeg = new("image/jpeg", "jpg", AssetKind.Image);
    public static readonly DetectedType Png = new("image/png", "png", AssetKind.Image);
    public static readonly DetectedType Gif = new("image/gif", "gif", AssetKind.Image);
    public static readonly DetectedType WebP = new("image/webp", "webp", AssetKind.Image);
    public static readonly DetectedType Avif = new("image/avif", "avif", AssetKind.Image);
    public static readonly DetectedType Heic = new("image/heic", "heic", AssetKind.Image);
    public static readonly DetectedType Tiff = new("image/tiff", "tif", AssetKind.Image);
    public static readonly DetectedType Svg = new("image/svg+xml", "svg", AssetKind.Image);
    public static readonly DetectedType Mp4 = new("video/mp4", "mp4", AssetKind.Video);
    public static readonly DetectedType QuickTime = new("video/quicktime", "mov", AssetKind.Video);
    public static readonly DetectedType WebM = new("video/webm", "webm", AssetKind.Video);
    public static readonly DetectedType Pdf = new("application/pdf", "pdf", AssetKind.File);
    public static readonly DetectedType Zip = new("application/zip", "zip", AssetKind.File);
    public static readonly DetectedType Text = new("text/plain", "txt", AssetKind.File);

    public static readonly IReadOnlyList<DetectedType> All = [Jpeg, Png, Gif, WebP, Avif, Heic, Tiff, Svg, Mp4, QuickTime, WebM, Pdf, Zip, Text];

    /// Everything detectable; the default allow-list leaves out text/plain and zip.
    public static readonly string[] KnownTypes = All.Select(t => t.MimeType).ToArray();
    public static readonly string[] DefaultAllowed = All.Where(t => t != Text && t != Zip).Select(t => t.MimeType).ToArray();

    public static DetectedType? Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return Tiff;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]))
        {
            // EBML: WebM declares its DocType within the first few dozen bytes.
            return head[..Math.Min(head.Length, 64)].IndexOf("webm"u8) >= 0 ? WebM : null;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.StartsWith("PK\u0003\u0004"u8))
        {
            return Zip;
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return IsoMedia(head);
        }

        if (head.Length >= 8 && (head[4..8].SequenceEqual("moov"u8) || head[4..8].SequenceEqual("mdat"u8) ||
                                 head[4..8].SequenceEqual("wide"u8) || head[4..8].SequenceEqual("free"u8)))
        {
            return QuickTime;
        }

        return Textual(head);
    }

    // ISO base media (ftyp box): the major and compatible brands tell images from movies.
    private static DetectedType? IsoMedia(ReadOnlySpan<byte> head)
    {
        var boxSize = (int)Math.Min((uint)(head[0] << 24 | head[1] << 16 | head[2] << 8 | head[3]), (uint)head.Length);
        var brands = new List<string>();
        for (var offset = 8; offset + 4 <= boxSize; offset += offset == 8 ? 8 : 4)
        {
            brands.Add(Encoding.ASCII.GetString(head.Slice(offset, 4)));
        }

        if (brands.Contains("avif") || brands.Contains("avis"))
        {
            return Avif;
        }

        if (brands.Intersect(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]).Any())
        {
            return Heic;
        }

        if (brands.Count > 0 && brands[0] == "qt  ")
        {
            return QuickTime;
        }

        return brands.Intersect(["isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "MSNV", "3gp4", "3gp5"]).Any() ? Mp4 : null;
    }

    // SVG (an XML document whose root is <svg>) or plain UTF-8 text.
    private static DetectedType? Textual(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty || head.Contains((byte)0))
        {
            return null;
        }

        var text = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head;
        // The head may end inside a multi-byte character: allow up to 3 bytes to be cut off.
        if (DecodeStrict(text) is not { } decoded)
        {
            return null;
        }

        return LooksLikeSvg(decoded) ? Svg : Text;
    }

    private static string? DecodeStrict(ReadOnlySpan<byte> text)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (var cut = 0; cut <= Math.Min(3, text.Length - 1); cut++)
        {
            try
            {
                return strict.GetString(text[..^cut]);
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return null;
    }

    private static bool LooksLikeSvg(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (string.CompareOrdinal(text, i, "<?", 0, 2) == 0 || string.CompareOrdinal(text, i, "<!", 0, 2) == 0)
            {
                // XML declaration, comment or DOCTYPE before the root element.
                var comment = text.AsSpan(i).StartsWith("<!--");
                var end = comment ? text.IndexOf("-->", i, StringComparison.Ordinal) : text.IndexOf('>', i);
                if (end < 0)
                {
                    return false;
                }

                i = end + (comment ? 3 : 1);
                continue;
            }

            return text.AsSpan(i).StartsWith("<svg") && i + 4 < text.Length && (char.IsWhiteSpace(text[i + 4]) || text[i + 4] is '>' or '/');
        }

        return false;
    }
}
