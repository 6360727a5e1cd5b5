using System.Collections.Concurrent;
using System.Net.Http.Headers;
using MediaLibrary.Clients;
using MediaLibrary.Search;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MediaLibrary.Tests.Infrastructure;

/// The real service over a temp data folder and a fresh database: SQLite by default, PostgreSQL
/// when MEDIALIBRARY_TEST_PROVIDER=postgres (test.sh sets it and MEDIALIBRARY_TEST_POSTGRES).
public class TestApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string? _postgresDatabase;

    public TestApp()
    {
        DataDirectory = Directory.CreateTempSubdirectory("medialibrary-test-").FullName;
    }

    public static bool UsePostgres => Environment.GetEnvironmentVariable("MEDIALIBRARY_TEST_PROVIDER") == "postgres";

    public static string PostgresAdmin => Environment.GetEnvironmentVariable("MEDIALIBRARY_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=postgres";

    public string DataDirectory { get; }

    /// Extra settings for this instance, e.g. `new TestApp { Overrides = { ["MediaLibrary:X"] = "y" } }`.
    public Dictionary<string, string?> Overrides { get; } = [];
    public string? ConnectionString { get; private set; }
    public ConcurrentQueue<string> Logs { get; } = new();

    public virtual async Task InitializeAsync()
    {
        if (UsePostgres)
        {
            _postgresDatabase = "ml_test_" + Guid.NewGuid().ToString("N")[..16];
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_postgresDatabase}", admin);
            await create.ExecuteNonQueryAsync();
            ConnectionString = new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = _postgresDatabase }.ToString();
        }

        await PrepareDatabaseAsync();
        _ = Server; // start now, so migrations run before the first test
    }

    /// Runs before the service starts (and migrates): a subclass can leave an older schema there.
    protected virtual Task PrepareDatabaseAsync() => Task.CompletedTask;

    public string SqlitePath => Path.Combine(DataDirectory, "medialibrary.db");

    /// Settings as the service sees them (also handy for starting the real executable).
    public Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["MediaLibrary:DataDirectory"] = DataDirectory,
            ["MediaLibrary:Database:Provider"] = UsePostgres ? "postgres" : "sqlite",
            ["MediaLibrary:Database:ConnectionString"] = ConnectionString,
            // Every write must take the writer's turn: a read session refuses one (see DbSession).
            ["MediaLibrary:Database:GuardReadSessions"] = "true",
        };
        foreach (var (key, value) in Overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings()));
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        builder.ConfigureServices(services =>
        {
            // Requests run in the calling test's execution context: a 500 is charged to that test.
            services.Configure<TestServerOptions>(o => o.PreserveExecutionContext = true);
            services.AddSingleton<IStartupFilter, ServerErrorRecorder>();
            ConfigureTestServices(services);
        });
    }

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    public async Task<string> CreateTokenAsync(string[] scopes, DateTimeOffset? expiresAt = null, string? name = null)
    {
        var clients = Services.GetRequiredService<ApiClients>();
        var (_, token) = await clients.CreateAsync(name ?? "test-" + Guid.NewGuid().ToString("N")[..8], scopes, expiresAt, CancellationToken.None);
        return token;
    }

    /// A client as CreateClient makes it (redirects followed, cookies kept) that, before a search,
    /// waits until every committed change is in the search index: SQLite indexes after the commit
    /// (SearchIndexer), and tests of what search finds would otherwise race it. The indexer's own
    /// timing, and search without this wait, are tested in SearchIndexerTests.
    public async Task<HttpClient> ClientAsync(params string[] scopes)
    {
        var client = CreateDefaultClient(ClientOptions.BaseAddress,
            new RedirectHandler(ClientOptions.MaxAutomaticRedirections), new CookieContainerHandler(), new SearchIndexedHandler(this));
        if (scopes.Length > 0)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTokenAsync(scopes));
        }

        return client;
    }

    public Task<HttpClient> ReaderWriterAsync() => ClientAsync(Scopes.Read, Scopes.Write);

    async Task IAsyncLifetime.DisposeAsync()
    {
        // Virtual: a fixture that holds more (a server process, a browser) cleans up in its override.
        await DisposeAsync();
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresAdmin);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }

        if (!ServerErrorGuard.Unattributed.IsEmpty)
        {
            var errors = new List<string>();
            while (ServerErrorGuard.Unattributed.TryDequeue(out var error))
            {
                errors.Add(error);
            }

            throw new InvalidOperationException($"The server answered 500 outside any test (fixture set-up?): {string.Join(", ", errors)}");
        }
    }
}

/// Lets the server index every committed change before a search request goes out (see ClientAsync).
internal sealed class SearchIndexedHandler(TestApp app) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath.Contains("/search/", StringComparison.Ordinal) == true)
        {
            await app.Services.GetRequiredService<SearchIndexer>().CatchUpAsync(cancellationToken);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, sink);

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
