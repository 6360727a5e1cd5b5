namespace MediaLibrary.Storage;

internal static class StorageSetup
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        DapperSetup.Configure();
        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<Migrator>();
        return builder;
    }
}
