using Microsoft.Extensions.Options;
using NetVips;

namespace MediaLibrary.Delivery;

/// The source cannot become a variant: too many pixels (a decompression bomb), or bytes libvips
/// cannot decode. Answered with 422.
internal sealed class UnrenderableException(string message) : Exception(message);

/// Renders variants with libvips (SPEC §11): shrink-on-load where it can, EXIF orientation
/// applied, sRGB, every piece of metadata stripped (EXIF with GPS, XMP, IPTC, ICC), the first
/// frame of animations. The source's size is read from its header before anything is decoded.
internal sealed class ImageRenderer
{
    // libvips' limit on a coordinate: "no bound" for the side that is not given.
    private const int Unbounded = 10_000_000;

    private readonly TransformOptions _options;

    public ImageRenderer(IOptions<TransformOptions> options)
    {
        _options = options.Value;
        // Keep libvips' operation cache small: variants are cached in the blob store, not here.
        Cache.MaxMem = (ulong)Math.Max(0, _options.VipsCacheMaxBytes);
        Cache.Max = 50;
        Cache.MaxFiles = 0;
    }

    /// The source's size as displayed (orientation applied), from its header only. Sources are
    /// local files (spooled from the blob store): libvips reads what it needs of them, instead of
    /// the whole source sitting in memory.
    public (int Width, int Height) Dimensions(string sourceFile)
    {
        try
        {
            using var header = Image.NewFromFile(sourceFile, access: Enums.Access.Sequential);
            var pixels = (long)header.Width * header.Height;
            if (pixels > _options.MaxSourcePixels)
            {
                throw new UnrenderableException(
                    $"The image has {header.Width} × {header.Height} pixels, more than the {_options.MaxSourcePixels:N0} that are rendered (MediaLibrary__Transforms__MaxSourcePixels).");
            }

            var rotated = header.Contains("orientation") && header.Get("orientation") is int orientation && orientation >= 5;
            return rotated ? (header.Height, header.Width) : (header.Width, header.Height);
        }
        catch (VipsException e)
        {
            throw new UnrenderableException($"The image cannot be decoded: {FirstLine(e.Message)}");
        }
    }

    public byte[] Render(string sourceFile, TransformSpec spec, string format)
    {
        try
        {
            using var image = Resize(sourceFile, spec);
            using var srgb = image.Interpretation is Enums.Interpretation.Srgb or Enums.Interpretation.Bw ? image.Copy() : image.Colourspace(Enums.Interpretation.Srgb);
            return Save(srgb, format, spec.Quality);
        }
        catch (VipsException e)
        {
            throw new UnrenderableException($"The image cannot be rendered: {FirstLine(e.Message)}");
        }
    }

    private static Image Resize(string sourceFile, TransformSpec spec)
    {
        var (boxWidth, boxHeight) = spec.Box;
        var cropping = spec.Fit == "crop" && boxWidth is not null && boxHeight is not null;
        if (spec.Edits is { ChangesPixels: true } || (cropping && spec.CropCentre is not null && spec.Rect is null))
        {
            return Edited(sourceFile, spec);
        }

        var size = spec.Fit == "max" || (boxWidth is null && boxHeight is null) ? Enums.Size.Down : Enums.Size.Both;
        var crop = spec.Fit == "crop" && boxWidth is not null && boxHeight is not null ? Enums.Interesting.Centre : (Enums.Interesting?)null;
        var width = boxWidth ?? Unbounded;
        var height = boxHeight ?? Unbounded;
        if (spec.Rect is not { } rect)
        {
            // Shrink-on-load: a JPEG is decoded at 1/2, 1/4 or 1/8 when that is still large enough.
            return Image.Thumbnail(sourceFile, width, height: height, size: size, crop: crop);
        }

        using var full = Image.NewFromFile(sourceFile, access: Enums.Access.Random);
        using var upright = full.Autorot();
        if (rect.X + rect.W > upright.Width || rect.Y + rect.H > upright.Height)
        {
            throw new RectOutsideException(upright.Width, upright.Height);
        }

        using var cut = upright.ExtractArea(rect.X, rect.Y, rect.W, rect.H);
        return cut.ThumbnailImage(boxWidth ?? (boxHeight is null ? rect.W : Unbounded), height: boxHeight ?? (boxWidth is null ? rect.H : Unbounded), size: size, crop: crop);
    }

    /// SPEC §17: the upright source turned and pixelated, then cut (`rect`) and sized, a crop
    /// centred on the focal point. Decoded whole: edits apply to the full-size pixels.
    private static Image Edited(string sourceFile, TransformSpec spec)
    {
        using var full = Image.NewFromFile(sourceFile, access: Enums.Access.Random);
        var image = full.Autorot();
        try
        {
            if (spec.Edits is { } edits)
            {
                image = Replace(image, edits.Rotate switch
                {
                    90 => image.Rot90(),
                    180 => image.Rot180(),
                    270 => image.Rot270(),
                    _ => image.Copy(),
                });
                image = Replace(image, Pixelate(image, edits.Pixelate));
            }

            if (spec.Rect is { } rect)
            {
                if (rect.X + rect.W > image.Width || rect.Y + rect.H > image.Height)
                {
                    throw new RectOutsideException(image.Width, image.Height);
                }

                image = Replace(image, image.ExtractArea(rect.X, rect.Y, rect.W, rect.H));
            }

            var (boxWidth, boxHeight) = spec.Box;
            if (spec.Fit == "crop" && boxWidth is { } bw && boxHeight is { } bh)
            {
                return FocalCrop(image, bw, bh, spec.Rect is null ? spec.CropCentre ?? (0.5, 0.5) : (0.5, 0.5));
            }

            if (boxWidth is null && boxHeight is null)
            {
                return image.Copy();
            }

            var size = spec.Fit == "max" ? Enums.Size.Down : Enums.Size.Both;
            return image.ThumbnailImage(boxWidth ?? Unbounded, height: boxHeight ?? Unbounded, size: size);
        }
        finally
        {
            image.Dispose();
        }
    }

    private static Image Replace(Image old, Image next)
    {
        old.Dispose();
        return next;
    }

    /// Each region becomes blocks of one colour, each block the mean of its pixels; blocks are at
    /// least max(8 px, 2 % of the shorter side), so faces and plates are unreadable.
    private static Image Pixelate(Image image, IReadOnlyList<EditRegion> regions)
    {
        var block = Math.Max(8, (int)Math.Ceiling(0.02 * Math.Min(image.Width, image.Height)));
        var result = image.Copy();
        foreach (var region in regions)
        {
            var x0 = Math.Clamp((int)Math.Floor(region.X * image.Width), 0, image.Width - 1);
            var y0 = Math.Clamp((int)Math.Floor(region.Y * image.Height), 0, image.Height - 1);
            var x1 = Math.Clamp((int)Math.Ceiling((region.X + region.W) * image.Width), x0 + 1, image.Width);
            var y1 = Math.Clamp((int)Math.Ceiling((region.Y + region.H) * image.Height), y0 + 1, image.Height);
            var (w, h) = (x1 - x0, y1 - y0);
            var (nx, ny) = ((w + block - 1) / block, (h + block - 1) / block);
            using var area = image.ExtractArea(x0, y0, w, h);
            // A last, partial block is filled by repeating the region's edge pixels: its colour is still of its own pixels.
            using var padded = area.Embed(0, 0, nx * block, ny * block, extend: Enums.Extend.Copy);
            using var means = padded.Shrink(block, block);
            using var blocks = means.Zoom(block, block);
            using var cut = blocks.ExtractArea(0, 0, w, h).Cast(image.Format);
            result = Replace(result, result.Insert(cut, x0, y0));
        }

        return result;
    }

    /// Covers the box and cuts it around the centre point (fractions), kept inside the image.
    private static Image FocalCrop(Image image, int width, int height, (double X, double Y) centre)
    {
        var wider = (double)image.Width / image.Height > (double)width / height;
        using var scaled = wider
            ? image.ThumbnailImage(Unbounded, height: height, size: Enums.Size.Both)
            : image.ThumbnailImage(width, height: Unbounded, size: Enums.Size.Both);
        var (w, h) = (Math.Min(width, scaled.Width), Math.Min(height, scaled.Height));
        var left = Math.Clamp((int)Math.Round(centre.X * scaled.Width - w / 2.0), 0, scaled.Width - w);
        var top = Math.Clamp((int)Math.Round(centre.Y * scaled.Height - h / 2.0), 0, scaled.Height - h);
        return scaled.ExtractArea(left, top, w, h);
    }

    private static byte[] Save(Image image, string format, int quality)
    {
        switch (format)
        {
            case "jpg":
                using (var flat = image.HasAlpha() ? image.Flatten(background: [255, 255, 255]) : image.Copy())
                {
                    return flat.JpegsaveBuffer(q: quality, keep: Enums.ForeignKeep.None, optimizeCoding: true);
                }

            case "png":
                return image.PngsaveBuffer(keep: Enums.ForeignKeep.None, compression: 6);
            case "webp":
                return image.WebpsaveBuffer(q: quality, keep: Enums.ForeignKeep.None, effort: 2);
            default:
                return image.HeifsaveBuffer(q: quality, compression: Enums.ForeignHeifCompression.Av1, keep: Enums.ForeignKeep.None, effort: 2);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? message;
}

/// `rect` lies (partly) outside the source: a client error, answered with 400 naming `rect`.
internal sealed class RectOutsideException(int width, int height) : Exception($"must lie inside the image ({width} × {height} pixels, orientation applied)");
