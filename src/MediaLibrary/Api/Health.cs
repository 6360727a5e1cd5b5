using Dapper;
using MediaLibrary.Storage;

namespace MediaLibrary.Api;

internal static class Health
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", CheckAsync).AllowAnonymous().WithTags("Service");
        // Liveness without I/O: for orchestrators, and the framework's own ceiling in benchmarks.
        app.MapGet("/healthz/live", () => TypedResults.Ok(new LiveResponse("ok"))).AllowAnonymous().WithTags("Service");
        return app;
    }

    public sealed record HealthResponse(string Status, string Database);

    public sealed record LiveResponse(string Status);

    private static async Task<IResult> CheckAsync(Database database, ILoggerFactory loggers, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await using var connection = await database.OpenAsync(timeout.Token);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token));
            return TypedResults.Ok(new HealthResponse("ok", database.Provider.ToString().ToLowerInvariant()));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            loggers.CreateLogger("MediaLibrary.Health").LogWarning("Health check failed: {Error}", e.Message);
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable,
                new { name = "ServiceUnavailable", message = "The database is not reachable." });
        }
    }
}
