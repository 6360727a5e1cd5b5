using System.Net;
using System.Net.Http.Headers;
using Dapper;
using MediaLibrary.Cli;
using MediaLibrary.Tests.Infrastructure;
using Npgsql;

namespace MediaLibrary.Tests.Cli;

public sealed class CliTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Token_create_prints_only_the_token_and_a_running_server_accepts_it_until_revoked()
    {
        var settings = app.Settings();
        var name = "cli-" + Guid.NewGuid().ToString("N")[..6];
        var (exit, stdout, stderr) = await ServiceProcess.RunAsync(settings,
            "token", "create", "--name", name, "--scopes", "public-api:read,public-api:write", "--expires", "2099-01-01");
        Assert.True(exit == 0, stderr);
        var token = stdout.Trim();
        Assert.Matches("^ml_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$", token);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var list = await ServiceProcess.RunAsync(settings, "token", "list");
        Assert.Equal(0, list.ExitCode);
        var line = Assert.Single(list.Stdout.Split('\n'), l => l.StartsWith(name, StringComparison.Ordinal));
        Assert.Contains("public-api:read,public-api:write", line, StringComparison.Ordinal);
        Assert.Contains("2099-01-01T00:00:00.000Z", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token[16..], list.Stdout + list.Stderr, StringComparison.Ordinal);

        await using var server = await ServiceProcess.StartAsync(settings);
        using var http = server.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await (await http.GetAsync("/api/2026-03/mediaLibrary/nope")).AssertEnvelopeAsync(HttpStatusCode.NotFound);

        var revoke = await ServiceProcess.RunAsync(settings, "token", "revoke", "--name", name);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((await http.GetAsync("/api/2026-03/mediaLibrary/nope")).StatusCode != HttpStatusCode.Unauthorized && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await (await http.GetAsync("/api/2026-03/mediaLibrary/nope")).AssertEnvelopeAsync(HttpStatusCode.Unauthorized);
        var listed = (await ServiceProcess.RunAsync(settings, "token", "list")).Stdout.Split('\n').Single(l => l.StartsWith(name, StringComparison.Ordinal));
        Assert.Matches(@"Z\s+\d{4}-\d\d-\d\dT[\d:.]+Z$", listed.TrimEnd());
    }

    [Fact]
    public async Task Db_migrate_applies_migrations_and_exits()
    {
        var (exit, stdout, stderr) = await ServiceProcess.RunAsync(app.Settings(), "db", "migrate");
        Assert.True(exit == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Contains("up to date", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--scopes", "public-api:read")]
    [InlineData("--name", "x", "--scopes", "admin")]
    [InlineData("--name", "x", "--scopes", "public-api:read", "--expires", "someday")]
    public async Task Token_create_with_bad_arguments_fails_without_printing_a_token(params string[] flags)
    {
        var (exit, stdout, stderr) = await ServiceProcess.RunAsync(app.Settings(), ["token", "create", .. flags]);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout.Trim());
        Assert.False(string.IsNullOrWhiteSpace(stderr));
    }

    [Fact]
    public async Task Setting_flags_choose_the_database_of_a_command_over_the_environment()
    {
        // The environment says SQLite in a temp folder; the flags say PostgreSQL. The flags win, as for the server.
        var database = "ml_cli_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(TestApp.PostgresAdmin);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"CREATE DATABASE {database}");
        var connectionString = new NpgsqlConnectionStringBuilder(TestApp.PostgresAdmin) { Database = database }.ToString();
        var sqliteFolder = Directory.CreateTempSubdirectory("medialibrary-cli-").FullName;
        try
        {
            var environment = new Dictionary<string, string?> { ["MediaLibrary:DataDirectory"] = sqliteFolder, ["MediaLibrary:Database:Provider"] = "sqlite" };
            var (exit, stdout, stderr) = await ServiceProcess.RunAsync(environment,
                "token", "create", "--name", "flagged", "--scopes", "public-api:read",
                "--MediaLibrary:Database:Provider=postgres", "--MediaLibrary:Database:ConnectionString", connectionString);

            Assert.True(exit == 0, stderr);
            Assert.StartsWith("ml_", stdout.Trim(), StringComparison.Ordinal);
            await using var created = new NpgsqlConnection(connectionString);
            Assert.Equal(1, await created.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM api_clients WHERE name = 'flagged'"));
            Assert.False(File.Exists(Path.Combine(sqliteFolder, "medialibrary.db")), "the command wrote into the SQLite file of the environment");

            var list = await ServiceProcess.RunAsync(environment, "token", "list", $"--MediaLibrary:Database:Provider=postgres", $"--MediaLibrary:Database:ConnectionString={connectionString}");
            Assert.Contains("flagged", list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            Directory.Delete(sqliteFolder, recursive: true);
        }
    }

    [Fact]
    public async Task Every_command_has_help_and_help_needs_no_database()
    {
        // A provider that cannot work: help must not build the host at all.
        var settings = new Dictionary<string, string?> { ["MediaLibrary:Database:Provider"] = "postgres", ["MediaLibrary:Database:ConnectionString"] = "Host=127.0.0.1;Port=1" };
        foreach (var command in new[] { new[] { "--help" }, ["help"], ["token", "--help"], ["token", "create", "--help"], ["token", "list", "--help"], ["token", "revoke", "-h"], ["db", "migrate", "--help"], ["seed", "--help"], ["webhooks", "--help"], ["webhooks", "deliveries", "--help"] })
        {
            var (exit, stdout, stderr) = await ServiceProcess.RunAsync(settings, command);
            Assert.True(exit == 0, $"{string.Join(' ', command)}: {stderr}");
            Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("MediaLibrary:Database:Provider", "oracle", "MediaLibrary__Database__Provider")]
    [InlineData("MediaLibrary:RetiredApiVersions", "2019-01", "MediaLibrary__RetiredApiVersions")]
    [InlineData("MediaLibrary:PublicBaseUrl", "not a url", "MediaLibrary__PublicBaseUrl")]
    [InlineData("MediaLibrary:MaxJsonBodyBytes", "lots", "MediaLibrary:MaxJsonBodyBytes")]
    public async Task A_bad_setting_stops_the_start_with_one_line_naming_it(string key, string value, string named)
    {
        var settings = app.Settings();
        settings[key] = value;
        var (exit, _, stderr) = await ServiceProcess.RunAsync(settings, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, exit);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lifecycel", "lifecycel", "run")]
    [InlineData("lifecycel", "--urls", "http://127.0.0.1:0", "lifecycel")]
    [InlineData("tokn", "--MediaLibrary:Database:Provider=sqlite", "tokn", "list")]
    public async Task An_unknown_command_exits_2_listing_the_commands_and_creates_no_data(string word, params string[] args)
    {
        var (exit, stdout, stderr, folder) = await RunInEmptyFolderAsync(args);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"unknown command '{word}'", stderr, StringComparison.Ordinal);
        foreach (var command in new[] { "token", "db", "seed", "webhooks", "help" })
        {
            Assert.Contains($"  {command} ", stderr, StringComparison.Ordinal);
        }

        Assert.Empty(folder);
    }

    [Fact]
    public async Task A_misspelled_subcommand_fails_naming_it_without_starting_the_api()
    {
        var (exit, stdout, stderr, folder) = await RunInEmptyFolderAsync("token", "craete", "--name", "x", "--scopes", "public-api:read");
        Assert.NotEqual(0, exit);
        Assert.Equal("", stdout);
        Assert.Contains("'craete'", stderr, StringComparison.Ordinal);
        Assert.Empty(folder);
    }

    [Fact]
    public async Task Urls_with_its_value_starts_the_api()
    {
        // The start fails on purpose (a bad provider), so no server runs: the message shows which path was taken.
        var (exit, _, stderr, _) = await RunInEmptyFolderAsync("--urls", "http://127.0.0.1:0", "--MediaLibrary:Database:Provider", "oracle");
        Assert.Equal(2, exit);
        Assert.Contains("MediaLibrary cannot start", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown command", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--urls", "http://127.0.0.1:0")]
    [InlineData("--urls=http://127.0.0.1:0", "--environment", "Development")]
    [InlineData("--MediaLibrary:Database:Provider", "postgres", "-v", "--contentRoot", "/tmp")]
    public void Only_flags_and_their_values_start_the_api(params string[] args) => Assert.Null(CliCommand.FromArgs(args));

    [Theory]
    [InlineData(true, "--environment", "Development", "token", "list")]
    [InlineData(true, "db", "migrate", "--MediaLibrary:Database:Provider", "postgres")]
    [InlineData(false, "--urls", "http://127.0.0.1:0", "extra")]
    [InlineData(false, "--urls=http://127.0.0.1:0", "lifecycel", "run")]
    [InlineData(false, "-v", "token", "craete")]
    [InlineData(false, "--urls", "http://x", "--help")]
    public void A_word_after_the_flags_is_a_command_known_or_not(bool needsHost, params string[] args)
    {
        var cli = CliCommand.FromArgs(args);
        Assert.NotNull(cli);
        Assert.Equal(needsHost, cli.NeedsHost);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr, string[] Folder)> RunInEmptyFolderAsync(params string[] args)
    {
        // ./data relative to the working directory, as `dotnet run` in a checkout would use it.
        var folder = Directory.CreateTempSubdirectory("medialibrary-cli-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["MediaLibrary:DataDirectory"] = "data", ["MediaLibrary:Database:Provider"] = "sqlite" };
            var (exit, stdout, stderr) = await ServiceProcess.RunInAsync(folder, settings, args);
            return (exit, stdout, stderr, Directory.GetFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
