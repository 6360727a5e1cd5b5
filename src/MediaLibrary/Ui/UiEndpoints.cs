using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace MediaLibrary.Ui;

/// The browser UI (SPEC §13): static files embedded in the executable (Ui/wwwroot), served under
/// `/ui/` with a strict Content-Security-Policy. It calls only the public API, with a token the
/// person enters; nothing here knows about tokens.
internal static class UiEndpoints
{
    private const string Prefix = "MediaLibrary.Ui.wwwroot.";

    /// No inline script or style, nothing from another origin; images also from blob: (thumbnails
    /// are fetched with the bearer header and shown from memory).
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; " +
        "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private sealed record UiFile(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, UiFile> Files = Load();

    public static WebApplication MapUi(this WebApplication app)
    {
        app.MapGet("/", (HttpRequest request) =>
            request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
                ? Results.Redirect("/ui/")
                : Results.Json(new { name = "MediaLibrary", ui = "/ui/", api = "/api/{version}/", reference = "/docs" }))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/ui/{**path}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, string? path)
    {
        if (!context.Request.Path.Value!.StartsWith("/ui/", StringComparison.Ordinal))
        {
            // Relative URLs in the page resolve against /ui/, not /.
            return Results.Redirect("/ui/");
        }

        var name = string.IsNullOrEmpty(path) ? "index.html" : path;
        if (!Files.TryGetValue(name, out var file))
        {
            // The app routes with the fragment (#/entry/…), so any other path is simply unknown.
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == file.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(file.Bytes, file.ContentType);
    }

    private static FrozenDictionary<string, UiFile> Load()
    {
        var assembly = typeof(UiEndpoints).Assembly;
        var files = new Dictionary<string, UiFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var bytes = memory.ToArray();
            var name = resource[Prefix.Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name] = new UiFile(bytes, type, new EntityTagHeaderValue($"\"{Convert.ToHexString(SHA256.HashData(bytes), 0, 8)}\"").Tag.ToString());
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
