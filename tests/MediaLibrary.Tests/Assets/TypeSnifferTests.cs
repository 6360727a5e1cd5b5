using System.Text;
using MediaLibrary.Assets;
using MediaLibrary.Tests.Infrastructure;

namespace MediaLibrary.Tests.Assets;

public sealed class TypeSnifferTests
{
    private static byte[] Ftyp(string major, params string[] compatible)
    {
        var brands = new[] { major, "\0\0\0\0" }.Concat(compatible).SelectMany(b => Encoding.ASCII.GetBytes(b)).ToArray();
        var size = 8 + brands.Length;
        return [0, 0, 0, (byte)size, .. "ftyp"u8, .. brands, 0, 0, 0, 8, .. "mdat"u8];
    }

    [Theory]
    [InlineData("avif", "image/avif")]
    [InlineData("heic", "image/heic")]
    [InlineData("mif1", "image/heic")]
    [InlineData("isom", "video/mp4")]
    [InlineData("mp42", "video/mp4")]
    [InlineData("qt  ", "video/quicktime")]
    public void Iso_media_brands_tell_images_from_movies(string brand, string expected) =>
        Assert.Equal(expected, TypeSniffer.Detect(Ftyp(brand))?.MimeType);

    [Fact]
    public void Avif_declared_among_compatible_brands_is_an_image() =>
        Assert.Equal("image/avif", TypeSniffer.Detect(Ftyp("mif1", "avif", "miaf"))?.MimeType);

    [Fact]
    public void Unknown_iso_brand_is_not_guessed() => Assert.Null(TypeSniffer.Detect(Ftyp("zzzz")));

    [Fact]
    public void Tiff_and_webm_are_recognised()
    {
        Assert.Equal("image/tiff", TypeSniffer.Detect("II*\0\u0008\0\0\0"u8)?.MimeType);
        Assert.Equal("image/tiff", TypeSniffer.Detect("MM\0*\0\0\0\u0008"u8)?.MimeType);
        Assert.Equal("video/webm", TypeSniffer.Detect([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x82, 0x84, .. "webm"u8])?.MimeType);
        Assert.Null(TypeSniffer.Detect([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x82, 0x88, .. "matroska"u8]));
    }

    [Theory]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml")]
    [InlineData("\uFEFF<?xml version=\"1.0\"?><!DOCTYPE svg><svg>", "image/svg+xml")]
    [InlineData("<svgx>", "text/plain")]
    [InlineData("<html><svg></svg></html>", "text/plain")]
    [InlineData("plain words", "text/plain")]
    public void Svg_is_an_xml_document_whose_root_is_svg(string text, string expected) =>
        Assert.Equal(expected, TypeSniffer.Detect(Encoding.UTF8.GetBytes(text))?.MimeType);

    [Fact]
    public void Invalid_utf8_and_binary_are_not_text()
    {
        Assert.Null(TypeSniffer.Detect([0x61, 0xC3, 0x28, 0x62, 0x63, 0x64, 0x65]));
        Assert.Null(TypeSniffer.Detect([0x41, 0x00, 0x42]));
    }

    [Fact]
    public void Samples_used_in_tests_are_what_they_claim()
    {
        Assert.Equal(TypeSniffer.Jpeg, TypeSniffer.Detect(SampleFiles.Jpeg(10, 10)));
        Assert.Equal(TypeSniffer.Png, TypeSniffer.Detect(SampleFiles.Png(10, 10)));
        Assert.Equal(TypeSniffer.Pdf, TypeSniffer.Detect(SampleFiles.Pdf()));
    }
}
