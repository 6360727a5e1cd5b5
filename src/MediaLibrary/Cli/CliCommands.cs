using System.CommandLine;
using MediaLibrary.Clients;
using MediaLibrary.Storage;

namespace MediaLibrary.Cli;

/// The command tree. Each action runs with the built host's services; `--help` works on every level.
internal static class CliCommands
{
    public static RootCommand Root(CliServices services)
    {
        var root = new RootCommand(
            "MediaLibrary: without a command it starts the API. Settings come from appsettings.json, environment " +
            "variables (MediaLibrary__Database__Provider=postgres) or flags (--MediaLibrary:Database:Provider=postgres), for commands too.");
        root.Add(Token(services));
        root.Add(Db(services));
        root.Add(Seed(services));
        root.Add(Webhooks(services));
        root.Add(Lifecycle(services));
        return root;
    }

    private static Command Token(CliServices services)
    {
        var name = new Option<string>("--name") { Description = "The API client's name (unique, at most 100 characters).", Required = true };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated: {string.Join(",", Scopes.All)}.", Required = true };
        var expires = new Option<string?>("--expires") { Description = "Expiry date or date-time (2027-01-01 or 2027-01-01T12:00:00Z); none by default." };
        var create = new Command("create", "Create an API client and print its token on stdout (shown only this once).") { name, scopes, expires };
        create.SetAction((parse, ct) => CliRunner.CreateTokenAsync(
            services.Get<ApiClients>(), parse.GetRequiredValue(name), parse.GetRequiredValue(scopes), parse.GetValue(expires), ct));

        var list = new Command("list", "List API clients: name, scopes, created, expires, revoked.");
        list.SetAction((_, ct) => CliRunner.ListTokensAsync(services.Get<ApiClients>(), ct));

        var revokeName = new Option<string>("--name") { Description = "The API client to revoke.", Required = true };
        var revoke = new Command("revoke", "Revoke an API client; running API processes refuse its token within seconds.") { revokeName };
        revoke.SetAction((parse, ct) => CliRunner.RevokeTokenAsync(services.Get<ApiClients>(), parse.GetRequiredValue(revokeName), ct));

        return new Command("token", "Manage API clients and their tokens.") { create, list, revoke };
    }

    private static Command Db(CliServices services)
    {
        var migrate = new Command("migrate", "Apply database migrations and exit (the API also applies them at start).");
        migrate.SetAction(async (_, ct) =>
        {
            await services.Get<Migrator>().MigrateAsync(ct);
            await Console.Error.WriteLineAsync("Database is up to date.");
            return 0;
        });
        return new Command("db", "Database maintenance.") { migrate };
    }

    private static Command Webhooks(CliServices services)
    {
        var list = new Command("list", "The webhooks of the project config: handle, url, events, active, and their deliveries by state.");
        list.SetAction((_, ct) => WebhookCommands.ListAsync(services.Get<Events.WebhookCatalog>(), services.Get<Database>(), ct));

        var handle = new Option<string>("--handle") { Description = "The webhook's handle.", Required = true };
        var failed = new Option<bool>("--failed") { Description = "Only deliveries that were given up." };
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first.", DefaultValueFactory = _ => 100 };
        var deliveries = new Command("deliveries", "A webhook's deliveries: id, event, state, attempts, last answer.") { handle, failed, limit };
        deliveries.SetAction((parse, ct) => WebhookCommands.DeliveriesAsync(
            services.Get<Events.WebhookDeliveries>(), parse.GetRequiredValue(handle), parse.GetValue(failed), parse.GetValue(limit), ct));

        var delivery = new Option<string>("--delivery") { Description = "The delivery id (x-livingdocs-delivery).", Required = true };
        var redeliver = new Command("redeliver", "Send a delivery again (same id and body), with a fresh 24-hour retry window.") { delivery };
        redeliver.SetAction((parse, ct) => WebhookCommands.RedeliverAsync(
            services.Get<Events.WebhookDeliveries>(), services.Get<Events.WebhookCatalog>(), services.Get<TimeProvider>(), parse.GetRequiredValue(delivery), ct));

        return new Command("webhooks", "Webhooks and their deliveries.") { list, deliveries, redeliver };
    }

    private static Command Lifecycle(CliServices services)
    {
        var mediaType = new Option<string?>("--media-type") { Description = "Only this media type's routine." };
        var preview = new Command("preview", "How many entries the deletion routines would delete now, and the first ids; deletes nothing.") { mediaType };
        preview.SetAction((parse, ct) => LifecycleCommands.PreviewAsync(
            services.Get<MediaLibrary.Lifecycle.DeletionRoutines>(), services.Get<MediaTypes.MediaTypeCatalog>(), parse.GetValue(mediaType), ct));

        var run = new Command("run", "Run the deletion routines now (unless another process is running them), then erase the deleted entries' bytes.");
        run.SetAction((_, ct) => LifecycleCommands.RunAsync(services.Get<MediaLibrary.Lifecycle.DeletionRoutines>(), services.Get<MediaLibrary.Lifecycle.BlobEraser>(), ct));

        return new Command("lifecycle", "Deletion routines (the project config's deletionRoutine per media type).") { preview, run };
    }

    private static Command Seed(CliServices services)
    {
        var entries = new Option<int>("--entries") { Description = "Media entries to create (at least 1).", Required = true };
        var documents = new Option<int>("--documents") { Description = "Published documents, each linking ten entries.", DefaultValueFactory = _ => 0 };
        entries.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--entries must be at least 1."); } });
        documents.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) { r.AddError("--documents must not be negative."); } });
        var seed = new Command("seed", "Fill an empty library for benchmarks (bulk path).") { entries, documents };
        seed.SetAction((parse, ct) => SeedCommand.RunAsync(parse.GetValue(entries), parse.GetValue(documents), services.Get<IServiceProvider>(), ct));
        return seed;
    }
}
