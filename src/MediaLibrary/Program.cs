using MediaLibrary.Api;
using MediaLibrary.Cli;
using MediaLibrary.Clients;
using MediaLibrary.Hosting;
using MediaLibrary.Storage;

var cli = CliCommand.FromArgs(args);
var builder = WebApplication.CreateBuilder(HostingExtensions.BuilderOptions(args, cli));
builder.AddMediaLibraryHosting(cli);
builder.AddStorage();
builder.AddApiClients();
builder.AddApi();

var app = builder.Build();
app.UseApi();
app.MapHealth();
app.MapApiReference();
var api = app.MapVersionedApi();

return await app.RunMediaLibraryAsync(cli);

public partial class Program;
