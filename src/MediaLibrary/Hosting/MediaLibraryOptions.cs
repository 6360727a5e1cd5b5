using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Delivery;

namespace MediaLibrary.Hosting;

/// Everything under the `MediaLibrary` configuration section (env: `MediaLibrary__X__Y`).
public sealed class MediaLibraryOptions
{
    public const string Section = "MediaLibrary";

    /// SQLite file and local assets live here unless configured otherwise; relative to the working directory.
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    public BlobOptions Blobs { get; set; } = new();

    public UploadOptions Upload { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public RateLimitOptions RateLimit { get; set; } = new();

    /// Project config with the media types (SPEC §6); the shipped default when empty.
    public string? MediaTypesFile { get; set; }

    /// Base of public asset URLs (`url` = base + key); this server's serve-image URL when empty.
    public string? PublicBaseUrl { get; set; }

    /// Comma-separated API versions that answer 410 Gone.
    public string? RetiredApiVersions { get; set; }

    /// Largest JSON request body in bytes.
    public long MaxJsonBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// How long a verified token is trusted before it is read again (revocation delay).
    public int TokenCacheSeconds { get; set; } = 2;

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);

    public string BlobRoot => Path.GetFullPath(Blobs.Root ?? Path.Combine(DataDirectory, "assets"));

    /// Where uploads are spooled while their type and size are checked.
    public string SpoolDirectory => Path.Combine(FullDataDirectory, "tmp");

    public HashSet<string> RetiredVersions() =>
        (RetiredApiVersions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => ApiVersion.TryParse(v, out var version) ? version.Name : v)
            .ToHashSet();
}

public sealed class DatabaseOptions
{
    /// `sqlite` (default) or `postgres`.
    public string Provider { get; set; } = "sqlite";

    /// Required for postgres; for sqlite defaults to `<DataDirectory>/medialibrary.db`.
    public string? ConnectionString { get; set; }

    /// Read sessions refuse INSERT, UPDATE and DELETE (a development check: on SQLite such a write
    /// would bypass the writer's queue). On in Debug builds and in the tests.
    public bool GuardReadSessions { get; set; }
#if DEBUG
        = true;
#endif
}
