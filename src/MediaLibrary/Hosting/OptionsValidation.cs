using MediaLibrary.Api;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Hosting;

/// Messages name the setting as an operator writes it (environment variable form).
internal sealed class MediaLibraryOptionsValidator : IValidateOptions<MediaLibraryOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaLibraryOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("MediaLibrary__DataDirectory must not be empty.");
        }

        var provider = options.Database.Provider?.ToLowerInvariant();
        if (provider is not ("sqlite" or "postgres"))
        {
            errors.Add($"MediaLibrary__Database__Provider must be 'sqlite' or 'postgres' (got '{options.Database.Provider}').");
        }
        else if (provider == "postgres" && string.IsNullOrWhiteSpace(options.Database.ConnectionString))
        {
            errors.Add("MediaLibrary__Database__ConnectionString is required when MediaLibrary__Database__Provider is 'postgres'.");
        }

        foreach (var version in (options.RetiredApiVersions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ApiVersion.TryParse(version, out _))
            {
                errors.Add($"MediaLibrary__RetiredApiVersions names an unknown API version '{version}' (known: {string.Join(", ", ApiVersion.All)}).");
            }
        }

        if (!string.IsNullOrEmpty(options.PublicBaseUrl) &&
            !(Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"MediaLibrary__PublicBaseUrl must be an absolute http(s) URL (got '{options.PublicBaseUrl}').");
        }

        var blobs = options.Blobs.Provider?.ToLowerInvariant();
        if (blobs is not ("filesystem" or "s3"))
        {
            errors.Add($"MediaLibrary__Blobs__Provider must be 'filesystem' or 's3' (got '{options.Blobs.Provider}').");
        }
        else if (blobs == "s3")
        {
            var s3 = options.Blobs.S3;
            if (string.IsNullOrWhiteSpace(s3.Bucket) || s3.Bucket.Length is < 3 or > 63)
            {
                errors.Add("MediaLibrary__Blobs__S3__Bucket is required when MediaLibrary__Blobs__Provider is 's3' (3 to 63 characters).");
            }

            if (!string.IsNullOrEmpty(s3.ServiceUrl) && !Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out _))
            {
                errors.Add($"MediaLibrary__Blobs__S3__ServiceUrl must be an absolute URL (got '{s3.ServiceUrl}').");
            }

            if (string.IsNullOrEmpty(s3.AccessKey) != string.IsNullOrEmpty(s3.SecretKey))
            {
                errors.Add("MediaLibrary__Blobs__S3__AccessKey and MediaLibrary__Blobs__S3__SecretKey go together.");
            }
        }

        if (options.Upload.MaxBytes < 1)
        {
            errors.Add("MediaLibrary__Upload__MaxBytes must be positive.");
        }

        foreach (var type in options.Upload.AllowedTypes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Assets.TypeSniffer.KnownTypes.Contains(type))
            {
                errors.Add($"MediaLibrary__Upload__AllowedTypes names '{type}', which the server cannot detect (known: {string.Join(", ", Assets.TypeSniffer.KnownTypes)}).");
            }
        }

        var limits = options.Limits;
        foreach (var (setting, value, min, max) in new[]
                 {
                     ("MaxJsonDepth", limits.MaxJsonDepth, 4, 256), ("MaxHeaderBytes", limits.MaxHeaderBytes, 4096, 1024 * 1024),
                     ("MaxPatches", limits.MaxPatches, 1, 1000), ("MaxListIds", limits.MaxListIds, 1, 1000), ("MaxImportItems", limits.MaxImportItems, 1, 1000),
                 })
        {
            if (value < min || value > max)
            {
                errors.Add($"MediaLibrary__Limits__{setting} must be from {min} to {max} (got {value}).");
            }
        }

        if (options.RateLimit.TokensPerSecond < 1 || options.RateLimit.Burst < 1)
        {
            errors.Add("MediaLibrary__RateLimit__TokensPerSecond and MediaLibrary__RateLimit__Burst must be positive.");
        }

        if (options.MaxJsonBodyBytes < 1024)
        {
            errors.Add("MediaLibrary__MaxJsonBodyBytes must be at least 1024.");
        }

        if (options.TokenCacheSeconds is < 0 or > 5)
        {
            errors.Add("MediaLibrary__TokenCacheSeconds must be between 0 and 5 (revocations must reach every process within 5 seconds).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
