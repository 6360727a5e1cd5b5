using MediaLibrary.Storage;
using Npgsql;

namespace MediaLibrary.Tests.Storage;

public class PostgresSettingsTests
{
    [Fact]
    public void Unset_pool_size_and_reset_get_the_service_defaults()
    {
        var settings = new NpgsqlConnectionStringBuilder(Database.WithDefaults("Host=db;Username=media;Database=media"));

        Assert.Equal(Database.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(0, settings.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Host=db;Maximum Pool Size=50;No Reset On Close=false")]
    [InlineData("Host=db;MaxPoolSize=50;NoResetOnClose=false")]
    [InlineData("host=db;maximum pool size=50;no reset on close=false")]
    public void What_the_operator_wrote_wins(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(Database.WithDefaults(connectionString));

        Assert.Equal(50, settings.MaxPoolSize);
        Assert.False(settings.NoResetOnClose);
    }
}
