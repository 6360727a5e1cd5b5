using MediaLibrary.Hosting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.MediaTypes;

internal static class MediaTypesSetup
{
    public static WebApplicationBuilder AddMediaTypes(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => MediaTypeCatalog.Load(services.GetRequiredService<IOptions<MediaLibraryOptions>>().Value));
        return builder;
    }
}
