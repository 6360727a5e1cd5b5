using MediaLibrary.Assets;
using MediaLibrary.Cli;
using MediaLibrary.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Hosting;

internal static class HostingExtensions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplicationOptions BuilderOptions(string[] args, CliCommand? cli) => new()
    {
        // A command's own words are not settings; its `--Section:Key=value` flags and the flags before it are.
        Args = cli is null ? args : cli.Settings,
        // appsettings.json sits beside the binary; `dotnet run --project` keeps the caller's working
        // directory (where ./data belongs). Test hosts pass their own content root.
        ContentRootPath = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
    };

    public static WebApplicationBuilder AddMediaLibraryHosting(this WebApplicationBuilder builder, CliCommand? cli)
    {
        builder.Services.AddOptions<MediaLibraryOptions>().BindConfiguration(MediaLibraryOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<MediaLibraryOptions>, MediaLibraryOptionsValidator>();
        ValidateNow(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddMemoryCache();

        if (cli is not null)
        {
            // stdout is reserved for the command's answer (a token must be capturable).
            builder.Logging.AddFilter(level => level >= LogLevel.Warning);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }
        else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    // Settings are checked before the host is built: Kestrel reads them while it is constructed.
    private static void ValidateNow(IConfiguration configuration)
    {
        var options = new MediaLibraryOptions();
        try
        {
            configuration.GetSection(MediaLibraryOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupException(e.Message);
        }

        var result = new MediaLibraryOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new StartupException(string.Join(" ", result.Failures));
        }
    }

    /// Prepares storage, then serves or runs the CLI command.
    public static async Task<int> RunMediaLibraryAsync(this WebApplication app, CliCommand? cli)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MediaLibrary");
        var options = app.Services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value;
        app.Services.GetRequiredService<MediaTypes.MediaTypeCatalog>();
        app.Services.GetRequiredService<Events.WebhookCatalog>();
        app.Services.GetRequiredService<UsageLog.UsagePurposeCatalog>();
        app.Services.GetRequiredService<UsageLog.LicenseProfileCatalog>();
        app.Services.GetRequiredService<Imports.ImportStarter>();
        app.Services.GetRequiredService<Delivery.UrlSigner>();
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
        await PrepareBlobStoreAsync(app.Services.GetRequiredService<IBlobStore>(), options, app.Lifetime.ApplicationStopping);
        if (cli is not null)
        {
            return await cli.InvokeAsync(app.Services, CancellationToken.None);
        }

        app.Lifetime.ApplicationStarted.Register(() => LogListening(app, logger, options));
        await app.RunAsync();
        return 0;
    }

    private static async Task PrepareBlobStoreAsync(IBlobStore store, MediaLibraryOptions options, CancellationToken ct)
    {
        if (store is not S3BlobStore s3 || !options.Blobs.S3.CreateBucket)
        {
            return;
        }

        try
        {
            await s3.EnsureBucketAsync(ct);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or HttpRequestException)
        {
            throw new StartupException($"Cannot create or reach the S3 bucket '{options.Blobs.S3.Bucket}': {e.Message}");
        }
    }

    /// A bad setting or an unreachable database ends the process with one line and exit code 2, never a stack trace.
    public static bool IsOperatorError(Exception e) => e is StartupException or OptionsValidationException;

    public static int ReportOperatorError(Exception e)
    {
        var message = e is OptionsValidationException validation ? string.Join(" ", validation.Failures) : e.Message;
        Console.Error.WriteLine($"MediaLibrary cannot start: {message}");
        return 2;
    }

    private static void LogListening(WebApplication app, ILogger logger, MediaLibraryOptions options)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        logger.LogInformation(
            "MediaLibrary listening on {Addresses} (data: {DataDirectory}); in a browser: {Ui}. Create a token: dotnet run --project src/MediaLibrary -- token create --name me --scopes public-api:read,public-api:write",
            string.Join(", ", addresses), options.FullDataDirectory, addresses.FirstOrDefault() is { } first ? first.TrimEnd('/') + "/ui/" : "/ui/");
    }
}
