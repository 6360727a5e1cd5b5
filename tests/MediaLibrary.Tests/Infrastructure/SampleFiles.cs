using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MediaLibrary.Tests.Infrastructure;

/// Small, well-formed media files built byte by byte: only headers matter to the service.
public static class SampleFiles
{
    public static byte[] Jpeg(int width, int height, int orientation = 1, string? caption = null, string? credit = null,
        string? artist = null, bool withGps = false, int scanBytes = 256)
    {
        var file = new MemoryStream();
        file.Write([0xFF, 0xD8]);
        Segment(file, 0xE1, Exif(orientation, artist, withGps));
        if (caption is not null || credit is not null)
        {
            Segment(file, 0xED, Iptc(caption, credit));
        }

        var sof = new byte[15];
        sof[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(1), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(3), (ushort)width);
        sof[5] = 3;
        for (var c = 0; c < 3; c++)
        {
            sof[6 + (c * 3)] = (byte)(c + 1);
            sof[7 + (c * 3)] = 0x11;
        }

        Segment(file, 0xC0, sof);
        Segment(file, 0xDA, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0]);
        file.Write(Enumerable.Range(0, scanBytes).Select(i => (byte)(i % 200)).ToArray());
        file.Write([0xFF, 0xD9]);
        return file.ToArray();
    }

    /// A JPEG with real pixels (a gradient, so a wrong crop or rotation shows), encoded by libvips,
    /// with our EXIF segment (orientation, optional GPS) spliced in after SOI.
    public static byte[] DecodableJpeg(int width, int height, int orientation = 1, bool withGps = false)
    {
        using var x = NetVips.Image.Xyz(width, height);
        using var bands = x.Bandsplit()[0] * (255.0 / Math.Max(1, width));
        using var rgb = NetVips.Image.Black(width, height, bands: 3).Add(bands).Cast(NetVips.Enums.BandFormat.Uchar);
        var encoded = rgb.JpegsaveBuffer(q: 90, keep: NetVips.Enums.ForeignKeep.None);
        var file = new MemoryStream();
        file.Write(encoded.AsSpan(0, 2));
        Segment(file, 0xE1, Exif(orientation, null, withGps));
        file.Write(encoded.AsSpan(2));
        return file.ToArray();
    }

    /// A PNG with real pixels, encoded by libvips.
    public static byte[] DecodablePng(int width, int height, bool alpha = false)
    {
        using var image = (NetVips.Image.Black(width, height, bands: alpha ? 4 : 3) + (alpha ? new double[] { 10, 200, 30, 128 } : new double[] { 10, 200, 30 }))
            .Cast(NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer();
    }

    /// Width and height of encoded image bytes, and the fields of metadata libvips finds in them.
    public static (int Width, int Height, string[] Fields) Decode(byte[] bytes)
    {
        using var image = NetVips.Image.NewFromBuffer(bytes);
        return (image.Width, image.Height, image.GetFields());
    }

    private static void Segment(Stream file, byte marker, byte[] payload)
    {
        file.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)((payload.Length + 2) & 0xFF)]);
        file.Write(payload);
    }

    // "Exif\0\0" + big-endian TIFF with IFD0 (orientation, artist, optional GPS pointer).
    private static byte[] Exif(int orientation, string? artist, bool withGps)
    {
        var entries = new List<(ushort Tag, ushort Type, uint Count, byte[] Value)>
        {
            (0x0112, 3, 1, [0, (byte)orientation, 0, 0]),
        };
        if (artist is not null)
        {
            entries.Add((0x013B, 2, (uint)artist.Length + 1, [.. Encoding.ASCII.GetBytes(artist), 0]));
        }

        var ifdSize = 2 + (12 * (entries.Count + (withGps ? 1 : 0))) + 4;
        var data = new MemoryStream();
        var tiff = new MemoryStream();
        tiff.Write("MM\0*"u8);
        tiff.Write([0, 0, 0, 8]);
        var dataStart = 8 + ifdSize;
        var gpsOffset = 0;
        var entryBytes = new MemoryStream();
        foreach (var (tag, type, count, value) in entries)
        {
            var entry = new byte[12];
            BinaryPrimitives.WriteUInt16BigEndian(entry, tag);
            BinaryPrimitives.WriteUInt16BigEndian(entry.AsSpan(2), type);
            BinaryPrimitives.WriteUInt32BigEndian(entry.AsSpan(4), count);
            if (value.Length <= 4)
            {
                value.CopyTo(entry.AsSpan(8));
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(entry.AsSpan(8), (uint)(dataStart + data.Length));
                data.Write(value);
            }

            entryBytes.Write(entry);
        }

        if (withGps)
        {
            gpsOffset = dataStart + (int)data.Length;
            var pointer = new byte[12];
            BinaryPrimitives.WriteUInt16BigEndian(pointer, 0x8825);
            BinaryPrimitives.WriteUInt16BigEndian(pointer.AsSpan(2), 4);
            BinaryPrimitives.WriteUInt32BigEndian(pointer.AsSpan(4), 1);
            BinaryPrimitives.WriteUInt32BigEndian(pointer.AsSpan(8), (uint)gpsOffset);
            entryBytes.Write(pointer);
            // GPS IFD: GPSLatitudeRef "N".
            data.Write([0, 1, 0, 1, 0, 2, 0, 0, 0, 2, (byte)'N', 0, 0, 0, 0, 0, 0, 0]);
        }

        tiff.Write([0, (byte)(entries.Count + (withGps ? 1 : 0))]);
        tiff.Write(entryBytes.ToArray());
        tiff.Write([0, 0, 0, 0]);
        tiff.Write(data.ToArray());
        return [.. "Exif\0\0"u8, .. tiff.ToArray()];
    }

    private static byte[] Iptc(string? caption, string? credit)
    {
        var iptc = new MemoryStream();
        void Record(byte dataset, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            iptc.Write([0x1C, 0x02, dataset, (byte)(bytes.Length >> 8), (byte)(bytes.Length & 0xFF)]);
            iptc.Write(bytes);
        }

        if (caption is not null)
        {
            Record(0x78, caption);
        }

        if (credit is not null)
        {
            Record(0x6E, credit);
        }

        var block = iptc.ToArray();
        var resource = new MemoryStream();
        resource.Write("Photoshop 3.0\0"u8);
        resource.Write("8BIM"u8);
        resource.Write([0x04, 0x04, 0, 0]);
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(size, (uint)block.Length);
        resource.Write(size);
        resource.Write(block);
        if (block.Length % 2 == 1)
        {
            resource.WriteByte(0);
        }

        return resource.ToArray();
    }

    public static byte[] Png(int width, int height, bool truncated = false)
    {
        var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(file, "IHDR", ihdr);
        var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Fastest, leaveOpen: true))
        {
            // Only the first rows: enough for a header-only reader, far less than the declared size.
            for (var row = 0; row < Math.Min(height, 4); row++)
            {
                zlib.Write(new byte[1 + (Math.Min(width, 64) * 3)]);
            }
        }

        Chunk(file, "IDAT", pixels.ToArray());
        if (!truncated)
        {
            Chunk(file, "IEND", []);
        }

        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        file.Write(header);
        file.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. header[4..], .. data]));
        file.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    public static byte[] Gif(int width, int height) =>
        [.. "GIF89a"u8, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 0, 0,
         0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 2, 2, 0x4C, 0x01, 0, 0x3B];

    public static byte[] WebP(int width, int height)
    {
        var chunk = new byte[18];
        "VP8X"u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), 10);
        WriteUInt24(chunk.AsSpan(12), width - 1);
        WriteUInt24(chunk.AsSpan(15), height - 1);
        var riff = new byte[12];
        "RIFF"u8.CopyTo(riff);
        BinaryPrimitives.WriteUInt32LittleEndian(riff.AsSpan(4), (uint)(4 + chunk.Length));
        "WEBP"u8.CopyTo(riff.AsSpan(8));
        return [.. riff, .. chunk];
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }

    /// ISO base media: ftyp + moov(mvhd + trak(tkhd)). `major` "qt  " gives a QuickTime movie.
    public static byte[] Mp4(int width, int height, double seconds, string major = "isom")
    {
        const int timescale = 1000;
        var mvhd = new byte[100];
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(12), timescale);
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(16), (uint)(seconds * timescale));
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(20), 0x00010000);
        mvhd[24] = 1;
        WriteIdentityMatrix(mvhd.AsSpan(36));
        BinaryPrimitives.WriteUInt32BigEndian(mvhd.AsSpan(96), 2);

        var tkhd = new byte[84];
        BinaryPrimitives.WriteUInt32BigEndian(tkhd, 0x00000003);
        BinaryPrimitives.WriteUInt32BigEndian(tkhd.AsSpan(12), 1);
        BinaryPrimitives.WriteUInt32BigEndian(tkhd.AsSpan(20), (uint)(seconds * timescale));
        WriteIdentityMatrix(tkhd.AsSpan(40));
        BinaryPrimitives.WriteUInt32BigEndian(tkhd.AsSpan(76), (uint)width << 16);
        BinaryPrimitives.WriteUInt32BigEndian(tkhd.AsSpan(80), (uint)height << 16);

        var ftyp = Box("ftyp", [.. Encoding.ASCII.GetBytes(major), 0, 0, 2, 0, .. Encoding.ASCII.GetBytes(major), .. "mp41"u8]);
        var moov = Box("moov", [.. Box("mvhd", mvhd), .. Box("trak", Box("tkhd", tkhd))]);
        return [.. ftyp, .. moov, .. Box("mdat", new byte[64])];
    }

    private static void WriteIdentityMatrix(Span<byte> target)
    {
        BinaryPrimitives.WriteUInt32BigEndian(target, 0x00010000);
        BinaryPrimitives.WriteUInt32BigEndian(target[16..], 0x00010000);
        BinaryPrimitives.WriteUInt32BigEndian(target[32..], 0x40000000);
    }

    private static byte[] Box(string type, byte[] payload)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(payload.Length + 8));
        Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        return [.. header, .. payload];
    }

    public static byte[] Svg(int width, int height) => Encoding.UTF8.GetBytes(
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- drawn by hand -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}px\"><rect width=\"10\" height=\"10\"/></svg>\n");

    public static byte[] SvgWithViewBox(int width, int height) => Encoding.UTF8.GetBytes(
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\"><circle r=\"4\"/></svg>");

    public static byte[] Pdf() => Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static byte[] Text() => Encoding.UTF8.GetBytes("Just some words, not a picture.\n");
}
