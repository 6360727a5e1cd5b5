using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using MediaLibrary.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Api;

/// `MediaLibrary:RateLimit`: a token bucket per API client (off by default).
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; }

    /// Sustained requests per second per API client.
    public int TokensPerSecond { get; set; } = 100;

    /// Requests a client may send at once before the rate applies.
    public int Burst { get; set; } = 200;
}

internal static class RateLimiting
{
    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<MediaLibraryOptions>>((limiter, options) =>
        {
            var settings = options.Value.RateLimit;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var client = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
                return !settings.Enabled || client is null
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : RateLimitPartition.GetTokenBucketLimiter(client, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = settings.Burst,
                        TokensPerPeriod = settings.TokensPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            limiter.OnRejected = async (rejected, ct) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrors.Write(rejected.HttpContext, StatusCodes.Status429TooManyRequests, new
                {
                    name = "TooManyRequests",
                    message = $"This API client sends more than {settings.TokensPerSecond} requests per second; retry after {seconds} s.",
                });
            };
        });
        return services;
    }
}
