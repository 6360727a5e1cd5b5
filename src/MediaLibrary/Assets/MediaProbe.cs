using System.Globalization;
using System.Xml;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Gif;
using MetadataExtractor.Formats.Heif;
using MetadataExtractor.Formats.Iptc;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.QuickTime;
using MetadataExtractor.Formats.WebP;
using Directory = MetadataExtractor.Directory;

namespace MediaLibrary.Assets;

/// What a newsroom can prefill from embedded metadata. GPS data is never read out.
public sealed record ExtractedMetadata(string? Title, string? Caption, string? Credit, string? Copyright, string? Creator, string? CaptureDate);

public sealed record ProbeResult(int? Width, int? Height, double? Duration, ExtractedMetadata? Extracted);

/// Reads sizes, duration and descriptive fields from file headers (MetadataExtractor; SVG
/// attributes). Never decodes pixels, so a "decompression bomb" only reports its declared size.
public static class MediaProbe
{
    public static ProbeResult Probe(string path, DetectedType type)
    {
        if (type == TypeSniffer.Svg)
        {
            return ProbeSvg(path);
        }

        if (type.Kind == AssetKind.File)
        {
            return new ProbeResult(null, null, null, null);
        }

        IReadOnlyList<Directory> directories;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024);
            directories = ImageMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e) when (e is ImageProcessingException or IOException or ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            return new ProbeResult(null, null, null, null);
        }

        var (width, height) = Size(directories, type);
        if (width is not null && height is not null && SwapsAxes(directories))
        {
            (width, height) = (height, width);
        }

        double? duration = type.Kind == AssetKind.Video ? Duration(directories) : null;
        return new ProbeResult(width, height, duration, Extract(directories));
    }

    private static (int?, int?) Size(IReadOnlyList<Directory> directories, DetectedType type)
    {
        if (type == TypeSniffer.Jpeg)
        {
            return Pair<JpegDirectory>(directories, JpegDirectory.TagImageWidth, JpegDirectory.TagImageHeight);
        }

        if (type == TypeSniffer.Png)
        {
            return Pair<PngDirectory>(directories, PngDirectory.TagImageWidth, PngDirectory.TagImageHeight);
        }

        if (type == TypeSniffer.Gif)
        {
            return Pair<GifHeaderDirectory>(directories, GifHeaderDirectory.TagImageWidth, GifHeaderDirectory.TagImageHeight);
        }

        if (type == TypeSniffer.WebP)
        {
            return Pair<WebPDirectory>(directories, WebPDirectory.TagImageWidth, WebPDirectory.TagImageHeight);
        }

        if (type == TypeSniffer.Tiff)
        {
            return Pair<ExifIfd0Directory>(directories, ExifDirectoryBase.TagImageWidth, ExifDirectoryBase.TagImageHeight);
        }

        if (type == TypeSniffer.Heic || type == TypeSniffer.Avif)
        {
            // The largest declared image is the primary one (the others are thumbnails or tiles).
            return directories.OfType<HeicImagePropertiesDirectory>()
                .Select(d => (W: Int(d, HeicImagePropertiesDirectory.TagImageWidth), H: Int(d, HeicImagePropertiesDirectory.TagImageHeight)))
                .Where(s => s.W is not null && s.H is not null)
                .OrderByDescending(s => (long)s.W!.Value * s.H!.Value)
                .Select(s => ((int?, int?))(s.W, s.H))
                .FirstOrDefault();
        }

        // Video: the first track with a picture.
        return directories.OfType<QuickTimeTrackHeaderDirectory>()
            .Select(d => (W: Int(d, QuickTimeTrackHeaderDirectory.TagWidth), H: Int(d, QuickTimeTrackHeaderDirectory.TagHeight)))
            .Where(s => s.W > 0 && s.H > 0)
            .Select(s => ((int?, int?))(s.W, s.H))
            .FirstOrDefault();
    }

    private static (int?, int?) Pair<T>(IReadOnlyList<Directory> directories, int widthTag, int heightTag) where T : Directory =>
        directories.OfType<T>().Select(d => (Int(d, widthTag), Int(d, heightTag))).FirstOrDefault(p => p.Item1 is not null && p.Item2 is not null);

    private static int? Int(Directory directory, int tag) =>
        directory.TryGetInt64(tag, out var value) && value is > 0 and <= int.MaxValue ? (int)value : null;

    // EXIF orientations 5–8 rotate by 90°: a viewer shows the picture with width and height swapped.
    private static bool SwapsAxes(IReadOnlyList<Directory> directories) =>
        directories.OfType<ExifIfd0Directory>().FirstOrDefault() is { } ifd0 &&
        ifd0.TryGetInt32(ExifDirectoryBase.TagOrientation, out var orientation) && orientation is >= 5 and <= 8;

    private static double? Duration(IReadOnlyList<Directory> directories)
    {
        var header = directories.OfType<QuickTimeMovieHeaderDirectory>().FirstOrDefault();
        if (header is null)
        {
            return null;
        }

        if (header.TryGetInt64(QuickTimeMovieHeaderDirectory.TagDuration, out var units) &&
            header.TryGetInt64(QuickTimeMovieHeaderDirectory.TagTimeScale, out var scale) && scale > 0)
        {
            return Math.Round(units / (double)scale, 3);
        }

        return header.GetObject(QuickTimeMovieHeaderDirectory.TagDuration) is TimeSpan span ? Math.Round(span.TotalSeconds, 3) : null;
    }

    private static ExtractedMetadata? Extract(IReadOnlyList<Directory> directories)
    {
        var ifd0 = directories.OfType<ExifIfd0Directory>().FirstOrDefault();
        var sub = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
        var iptc = directories.OfType<IptcDirectory>().FirstOrDefault();
        var extracted = new ExtractedMetadata(
            Title: Text(iptc, IptcDirectory.TagObjectName),
            Caption: Text(iptc, IptcDirectory.TagCaption) ?? Text(ifd0, ExifDirectoryBase.TagImageDescription),
            Credit: Text(iptc, IptcDirectory.TagCredit),
            Copyright: Text(iptc, IptcDirectory.TagCopyrightNotice) ?? Text(ifd0, ExifDirectoryBase.TagCopyright),
            Creator: Text(iptc, IptcDirectory.TagByLine) ?? Text(ifd0, ExifDirectoryBase.TagArtist),
            CaptureDate: CaptureDate(sub));
        return extracted == new ExtractedMetadata(null, null, null, null, null, null) ? null : extracted;
    }

    private static string? Text(Directory? directory, int tag)
    {
        var value = directory?.GetString(tag)?.Trim();
        return string.IsNullOrEmpty(value) ? null : value.Length > 2000 ? value[..2000] : value;
    }

    private static string? CaptureDate(ExifSubIfdDirectory? sub) =>
        sub is not null && sub.TryGetDateTime(ExifDirectoryBase.TagDateTimeOriginal, out var taken)
            ? taken.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : null;

    private static ProbeResult ProbeSvg(string path)
    {
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, MaxCharactersInDocument = 0 };
            using var reader = XmlReader.Create(path, settings);
            reader.MoveToContent();
            if (reader.LocalName != "svg")
            {
                return new ProbeResult(null, null, null, null);
            }

            var width = Length(reader.GetAttribute("width"));
            var height = Length(reader.GetAttribute("height"));
            if ((width is null || height is null) && reader.GetAttribute("viewBox") is { } viewBox)
            {
                var parts = viewBox.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 4)
                {
                    width ??= Length(parts[2]);
                    height ??= Length(parts[3]);
                }
            }

            return new ProbeResult(width, height, null, null);
        }
        catch (XmlException)
        {
            return new ProbeResult(null, null, null, null);
        }
    }

    private static int? Length(string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value) || value.EndsWith('%'))
        {
            return null;
        }

        value = value.EndsWith("px", StringComparison.Ordinal) ? value[..^2] : value;
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number is > 0 and < int.MaxValue
            ? (int)Math.Round(number)
            : null;
    }
}
