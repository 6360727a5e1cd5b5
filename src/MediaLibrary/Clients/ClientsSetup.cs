namespace MediaLibrary.Clients;

internal static class ClientsSetup
{
    public static WebApplicationBuilder AddApiClients(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiClients>();
        return builder;
    }
}
