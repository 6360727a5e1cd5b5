using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;

namespace MediaLibrary.Delivery;

/// A rectangle of the (rotated) image as fractions 0..1 of its width and height.
internal sealed record EditRegion(double X, double Y, double W, double H);

/// An image entry's edits (SPEC §17), applied at serve-image to the original and every variant:
/// quarter turns first, then pixelated regions; the focal point steers `fit=crop`. The original
/// bytes stay in storage; clearing the edits serves them again.
internal sealed record ImageEdits(int Rotate, IReadOnlyList<EditRegion> Pixelate, (double X, double Y)? FocalPoint)
{
    public const int MaxRegions = 20;

    /// Whether the pixels differ from the original's (a focal point alone only moves crops).
    public bool ChangesPixels => Rotate != 0 || Pixelate.Count > 0;

    /// The identity of the edits in variant keys and ETags: the same edits, the same text.
    public string Canonical => field ??= string.Create(CultureInfo.InvariantCulture,
        $"r={Rotate};p={string.Join('|', Pixelate.Select(p => $"{p.X:R},{p.Y:R},{p.W:R},{p.H:R}"))};f={(FocalPoint is { } f ? $"{f.X:R},{f.Y:R}" : "")}");

    /// The edits of several entries that share the same bytes, as one: the first's turn and focal
    /// point, and every entry's pixelated regions carried into that turn, so no entry's hidden
    /// pixels show through another entry's edits (redaction holds per entry).
    public static ImageEdits? Merge(IReadOnlyList<ImageEdits> edits)
    {
        if (edits.Count <= 1)
        {
            return edits.Count == 0 ? null : edits[0];
        }

        var first = edits[0];
        var regions = edits.SelectMany(e => e.Pixelate.Select(r => Turn(Unturn(r, e.Rotate), first.Rotate))).Distinct().ToList();
        return new ImageEdits(first.Rotate, regions, first.FocalPoint);
    }

    // A region of the image turned `rotate` degrees clockwise, in the unturned image's fractions.
    private static EditRegion Unturn(EditRegion r, int rotate) => rotate switch
    {
        90 => new EditRegion(r.Y, 1 - r.X - r.W, r.H, r.W),
        180 => new EditRegion(1 - r.X - r.W, 1 - r.Y - r.H, r.W, r.H),
        270 => new EditRegion(1 - r.Y - r.H, r.X, r.H, r.W),
        _ => r,
    };

    // A region of the unturned image, in the fractions of the image turned `rotate` degrees clockwise.
    private static EditRegion Turn(EditRegion r, int rotate) => rotate switch
    {
        90 => new EditRegion(1 - r.Y - r.H, r.X, r.H, r.W),
        180 => new EditRegion(1 - r.X - r.W, 1 - r.Y - r.H, r.W, r.H),
        270 => new EditRegion(r.Y, 1 - r.X - r.W, r.H, r.W),
        _ => r,
    };

    /// As stored and answered: `{"rotate": 90, "pixelate": [{"x", "y", "w", "h"}], "focalPoint": {"x", "y"}}`.
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Rotate != 0)
        {
            json["rotate"] = Rotate;
        }

        if (Pixelate.Count > 0)
        {
            json["pixelate"] = new JsonArray([.. Pixelate.Select(p => (JsonNode)new JsonObject { ["x"] = p.X, ["y"] = p.Y, ["w"] = p.W, ["h"] = p.H })]);
        }

        if (FocalPoint is { } focal)
        {
            json["focalPoint"] = new JsonObject { ["x"] = focal.X, ["y"] = focal.Y };
        }

        return json;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ImageEdits?> Stored = new(StringComparer.Ordinal);

    /// The stored column (null: no edits). Remembered: serve-image reads it on every request.
    public static ImageEdits? FromStored(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }

        if (Stored.TryGetValue(stored, out var known))
        {
            return known;
        }

        if (Stored.Count > 10_000)
        {
            Stored.Clear();
        }

        return Stored[stored] = Parse(new JsonShape(), JsonNode.Parse(stored), "");
    }

    /// A `setImageEdits` value, checked: problems go into `shape` under `path`. Null for `{}` too.
    public static ImageEdits? Parse(JsonShape shape, JsonNode? node, string path)
    {
        if (node is not JsonObject value)
        {
            shape.Add(path, "must be an object with rotate, pixelate and focalPoint, or null to restore the original");
            return null;
        }

        foreach (var (name, _) in value)
        {
            if (name is not ("rotate" or "pixelate" or "focalPoint"))
            {
                shape.Add(At(path, name), "is not an image edit (known: rotate, pixelate, focalPoint)");
            }
        }

        var rotate = 0;
        if (value["rotate"] is { } rotateNode)
        {
            if (rotateNode.GetValueKind() == JsonValueKind.Number && rotateNode.AsValue().TryGetValue<int>(out var turn) && turn is 0 or 90 or 180 or 270)
            {
                rotate = turn;
            }
            else
            {
                shape.Add(At(path, "rotate"), "must be 0, 90, 180 or 270 (degrees clockwise)");
            }
        }

        var regions = new List<EditRegion>();
        if (value["pixelate"] is { } pixelateNode)
        {
            if (pixelateNode is not JsonArray list || list.Count is 0 or > MaxRegions)
            {
                shape.Add(At(path, "pixelate"), $"must be a list of 1 to {MaxRegions} regions {{x, y, w, h}}");
            }
            else
            {
                for (var i = 0; i < list.Count; i++)
                {
                    var at = At(path, $"pixelate.{i}");
                    if (list[i] is not JsonObject region || region.Any(p => p.Key is not ("x" or "y" or "w" or "h")) ||
                        Fraction(region["x"]) is not { } x || Fraction(region["y"]) is not { } y || Fraction(region["w"]) is not { } w || Fraction(region["h"]) is not { } h)
                    {
                        shape.Add(at, "must be {x, y, w, h}: fractions from 0 to 1 of the (rotated) image");
                        continue;
                    }

                    if (w <= 0 || h <= 0 || x + w > 1 + 1e-9 || y + h > 1 + 1e-9)
                    {
                        shape.Add(at, "must lie inside the image with a width and height above 0 (x + w and y + h at most 1)");
                        continue;
                    }

                    regions.Add(new EditRegion(x, y, Math.Min(w, 1 - x), Math.Min(h, 1 - y)));
                }
            }
        }

        (double, double)? focal = null;
        if (value["focalPoint"] is { } focalNode)
        {
            if (focalNode is JsonObject point && point.All(p => p.Key is "x" or "y") && Fraction(point["x"]) is { } fx && Fraction(point["y"]) is { } fy)
            {
                focal = (fx, fy);
            }
            else
            {
                shape.Add(At(path, "focalPoint"), "must be {x, y}: fractions from 0 to 1 of the (rotated) image, inside it");
            }
        }

        return rotate == 0 && regions.Count == 0 && focal is null ? null : new ImageEdits(rotate, regions, focal);
    }

    private static double? Fraction(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue<double>(out var d) && double.IsFinite(d) && d is >= 0 and <= 1 ? d : null;

    private static string At(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
