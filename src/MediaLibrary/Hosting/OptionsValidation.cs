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
