using MediaLibrary.Api;
using MediaLibrary.Assets;
using MediaLibrary.Cli;
using MediaLibrary.Clients;
using MediaLibrary.Documents;
using MediaLibrary.Entries;
using MediaLibrary.Events;
using MediaLibrary.Hosting;
using MediaLibrary.Imports;
using MediaLibrary.Lifecycle;
using MediaLibrary.MediaTypes;
using MediaLibrary.References;
using MediaLibrary.Search;
using MediaLibrary.Storage;
using MediaLibrary.Delivery;
using MediaLibrary.UsageLog;
using MediaLibrary.Ui;

var cli = CliCommand.FromArgs(args);
if (cli is { NeedsHost: false })
{
    return await cli.InvokeAsync(services: null, CancellationToken.None);
}

try
{
    var builder = WebApplication.CreateBuilder(HostingExtensions.BuilderOptions(args, cli));
    builder.AddMediaLibraryHosting(cli);
    builder.AddStorage();
    builder.AddApiClients();
    builder.AddApi();
    builder.AddMediaTypes();
    builder.AddAssets();
    builder.AddEntries();
    builder.AddDocuments();
    builder.AddReferences();
    builder.AddEvents();
    builder.AddImports();
    builder.AddUsageLog();
    builder.AddDelivery();
    builder.AddSearch();
    builder.AddLifecycle();
    builder.AddTelemetry();

    var app = builder.Build();
    app.UseApi();
    app.MapHealth();
    app.MapMetrics();
    app.MapApiReference();
    app.MapUi();
    app.MapVersionedApi()
        .MapAssets()
        .MapEntries()
        .MapDocuments()
        .MapIncomingReferences()
        .MapEvents()
        .MapImports()
        .MapUsageLog()
        .MapDelivery()
        .MapSearch()
        .MapLifecycle()
        .MapMediaTypes()
        .MapMe();

    return await app.RunMediaLibraryAsync(cli);
}
catch (Exception e) when (HostingExtensions.IsOperatorError(e))
{
    return HostingExtensions.ReportOperatorError(e);
}

public partial class Program;
