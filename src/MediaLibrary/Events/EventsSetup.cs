using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Events;

internal static class EventsSetup
{
    public static WebApplicationBuilder AddEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventsOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Events");
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration($"{MediaLibraryOptions.Section}:Webhooks");
        builder.Services.AddSingleton<EventSignal>();
        builder.Services.AddSingleton(services => WebhookCatalog.Load(
            services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value, services.GetRequiredService<MediaTypeCatalog>(),
            services.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateTargets, Environment.GetEnvironmentVariable));
        builder.Services.AddSingleton<WebhookDeliveries>();
        builder.Services.AddSingleton<WebhookStreams>();
        builder.Services.AddSingleton<IEventNumbering>(services => services.GetRequiredService<Database>().Provider == DatabaseProvider.Sqlite
            ? new SqliteEventNumbering()
            : ActivatorUtilities.CreateInstance<PostgresEventNumbering>(services));
        builder.Services.AddSingleton<EventSequencer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EventSequencer>());
        builder.Services.AddSingleton<ValidityClock>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ValidityClock>());
        builder.Services.AddSingleton<WebhookPoster>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookSender>());
        return builder;
    }
}
