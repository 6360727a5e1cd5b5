using System.Globalization;
using MediaLibrary.Assets;

namespace MediaLibrary.Delivery;

/// The imgix-compatible parameters of serve-image (SPEC §11), checked and normalised: the same
/// variant always has the same `Canonical` text, whatever order or spelling the URL used.
internal sealed record TransformSpec(int? Width, int? Height, string Fit, (int X, int Y, int W, int H)? Rect, string? Format, bool AutoFormat, int Quality, double Dpr)
{
    public const int MaxSide = 8192;
    public const int DefaultQuality = 75;

    /// The parameters this file reads; anything else in the query (imgix's `ixlib`, a cache
    /// buster) is left alone, as imgix does. `s` and `expires` belong to signed URLs.
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal) { "w", "h", "fit", "rect", "fm", "auto", "q", "dpr", "crop", "fp-x", "fp-y" };

    /// The edited original (SPEC §17): the whole image, in the source's format, at high quality.
    public static readonly TransformSpec Original = new(null, null, "clip", null, null, false, 90, 1);

    /// SPEC §17: the entry's edits, applied before everything else (set by serve-image, not the URL).
    public ImageEdits? Edits { get; init; }

    /// imgix's `crop=focalpoint&fp-x&fp-y`: this request's focal point, over the entry's.
    public (double X, double Y)? Focal { get; init; }

    /// Where `fit=crop` centres its cut: the request's focal point, else the entry's, else the middle.
    public (double X, double Y)? CropCentre => Focal ?? Edits?.FocalPoint;

    public static readonly IReadOnlyList<string> Formats = ["jpg", "png", "webp", "avif"];

    /// Null when the query holds none of the parameters (then the original is served), else the
    /// spec or the errors by parameter name.
    public static (TransformSpec? Spec, Dictionary<string, string> Errors) Parse(IQueryCollection query)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!query.Keys.Any(Names.Contains))
        {
            return (null, errors);
        }

        string? One(string name)
        {
            if (!query.TryGetValue(name, out var values))
            {
                return null;
            }

            if (values.Count > 1)
            {
                errors[name] = "must be given once";
                return null;
            }

            return values[0];
        }

        int? Integer(string name, int min, int max)
        {
            var text = One(name);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return value;
            }

            errors[name] = $"must be a whole number from {min} to {max}";
            return null;
        }

        var width = Integer("w", 1, MaxSide);
        var height = Integer("h", 1, MaxSide);
        var quality = Integer("q", 1, 100) ?? DefaultQuality;
        var fit = One("fit") ?? "clip";
        if (fit is not ("clip" or "max" or "crop"))
        {
            errors["fit"] = $"No enum match for: \"{fit}\" (known: clip, max, crop)";
        }

        var format = One("fm");
        if (format == "jpeg")
        {
            format = "jpg";
        }

        if (format is not null && !Formats.Contains(format))
        {
            errors["fm"] = $"No enum match for: \"{format}\" (known: {string.Join(", ", Formats)})";
        }

        var auto = One("auto");
        if (auto is not null && auto.Split(',').Any(a => a != "format"))
        {
            errors["auto"] = "only auto=format is supported";
        }

        var dpr = 1.0;
        if (One("dpr") is { } dprText && (!double.TryParse(dprText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out dpr) || !double.IsFinite(dpr) || dpr is < 1 or > 4))
        {
            errors["dpr"] = "must be a number from 1 to 4";
        }

        (int, int, int, int)? rect = null;
        if (One("rect") is { } rectText)
        {
            var parts = rectText.Split(',');
            var numbers = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToArray();
            if (parts.Length != 4 || numbers.Any(n => n < 0) || numbers[2] == 0 || numbers[3] == 0)
            {
                errors["rect"] = "must be x,y,w,h: four whole numbers, w and h at least 1";
            }
            else
            {
                rect = (numbers[0], numbers[1], numbers[2], numbers[3]);
            }
        }

        (double, double)? focal = null;
        var crop = One("crop");
        if (crop is not null && crop != "focalpoint")
        {
            errors["crop"] = "only crop=focalpoint is supported (with fp-x and fp-y)";
        }

        double? Fraction(string name)
        {
            var text = One(name);
            if (text is null)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value is >= 0 and <= 1)
            {
                return value;
            }

            errors[name] = "must be a number from 0 to 1";
            return null;
        }

        var fpX = Fraction("fp-x");
        var fpY = Fraction("fp-y");
        if (crop == "focalpoint")
        {
            focal = (fpX ?? 0.5, fpY ?? 0.5);
        }

        return errors.Count > 0
            ? (null, errors)
            : (new TransformSpec(width, height, fit, rect, format, auto is not null, quality, dpr) { Focal = focal }, errors);
    }

    /// The box the output fits in, in pixels (dpr applied, at most 8192 a side).
    public (int? Width, int? Height) Box =>
        (Width is { } w ? Math.Min(MaxSide, (int)Math.Round(w * Dpr)) : null, Height is { } h ? Math.Min(MaxSide, (int)Math.Round(h * Dpr)) : null);

    /// The output format for a source of this type and a client that accepts `accept`.
    public string OutputFormat(DetectedType source, string? accept)
    {
        if (Format is not null)
        {
            return Format;
        }

        if (AutoFormat && accept is not null)
        {
            if (accept.Contains("image/avif", StringComparison.OrdinalIgnoreCase))
            {
                return "avif";
            }

            if (accept.Contains("image/webp", StringComparison.OrdinalIgnoreCase))
            {
                return "webp";
            }
        }

        return source.MimeType switch
        {
            "image/jpeg" => "jpg",
            "image/webp" => "webp",
            "image/avif" => "avif",
            "image/png" or "image/gif" or "image/svg+xml" => "png",
            _ => "jpg",
        };
    }

    /// The variant's identity: the normalised parameters with the resolved output format.
    public string Canonical(string format)
    {
        var (w, h) = Box;
        var rect = Rect is { } r ? $"{r.X},{r.Y},{r.W},{r.H}" : "";
        var canonical = $"w={w}&h={h}&fit={Fit}&rect={rect}&fm={format}&q={Quality}";
        if (Focal is { } f)
        {
            canonical += string.Create(CultureInfo.InvariantCulture, $"&fp={f.X:R},{f.Y:R}");
        }

        return Edits is null ? canonical : canonical + "&edits=" + Edits.Canonical;
    }

    public static string MimeType(string format) => format switch
    {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        _ => "image/avif",
    };
}
