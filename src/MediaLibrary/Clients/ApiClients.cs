using System.Security.Cryptography;
using System.Text;
using Dapper;
using MediaLibrary.Hosting;
using MediaLibrary.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace MediaLibrary.Clients;

public static class Scopes
{
    public const string Read = "public-api:read";
    public const string Write = "public-api:write";

    /// (ours, SPEC §14) Deleting an entry that is in use (`DELETE …?force=true`): an erasure.
    public const string Erase = "public-api:erase";
    public static readonly string[] All = [Read, Write, Erase];
}

internal sealed class ApiClientRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Scopes { get; set; } = "";
    public byte[] SecretHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public string[] ScopeList => Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

internal enum TokenCheck
{
    Valid,
    Invalid,
    Expired,
}

/// API clients and their tokens. A token is `ml_<clientId>_<secret>`: the id finds the row,
/// the secret (32 random bytes) is compared by SHA-256 hash in constant time. Only the hash is stored.
internal sealed class ApiClients(Database database, IMemoryCache cache, TimeProvider time, IOptions<MediaLibraryOptions> options)
{
    private const string Prefix = "ml_";
    private const string Columns = "id, name, scopes, secret_hash, created_at, expires_at, revoked_at";

    public async Task<(ApiClientRow Client, string Token)> CreateAsync(string name, string[] scopes, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var id = RandomId();
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var row = new ApiClientRow
        {
            Id = id, Name = name, Scopes = string.Join(',', scopes), SecretHash = Hash(secret),
            CreatedAt = time.GetUtcNow(), ExpiresAt = expiresAt,
        };
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        await session.ExecuteAsync(
            "INSERT INTO api_clients (id, name, scopes, secret_hash, created_at, expires_at) VALUES (@Id, @Name, @Scopes, @SecretHash, @CreatedAt, @ExpiresAt)",
            ct, ("Id", row.Id), ("Name", row.Name), ("Scopes", row.Scopes), ("SecretHash", row.SecretHash), ("CreatedAt", row.CreatedAt), ("ExpiresAt", row.ExpiresAt));
        return (row, $"{Prefix}{id}_{secret}");
    }

    public async Task<IReadOnlyList<ApiClientRow>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<ApiClientRow>(new CommandDefinition($"SELECT {Columns} FROM api_clients ORDER BY name", cancellationToken: ct))).AsList();
    }

    public async Task<ApiClientRow?> FindByNameAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ApiClientRow>(new CommandDefinition($"SELECT {Columns} FROM api_clients WHERE name = @name", new { name }, cancellationToken: ct));
    }

    public async Task<bool> RevokeAsync(string name, CancellationToken ct)
    {
        await using var session = await database.OpenAutocommitWriteAsync(ct);
        return await session.ExecuteAsync(
            "UPDATE api_clients SET revoked_at = @now WHERE name = @name AND revoked_at IS NULL", ct, ("name", name), ("now", time.GetUtcNow())) == 1;
    }

    public async Task<(TokenCheck Result, ApiClientRow? Client)> VerifyAsync(string token, CancellationToken ct)
    {
        if (!TryParse(token, out var id, out var secret))
        {
            return (TokenCheck.Invalid, null);
        }

        var client = await FindCachedAsync(id, ct);
        if (client is null || client.RevokedAt is not null ||
            !CryptographicOperations.FixedTimeEquals(client.SecretHash, Hash(secret)))
        {
            return (TokenCheck.Invalid, null);
        }

        return client.ExpiresAt <= time.GetUtcNow() ? (TokenCheck.Expired, null) : (TokenCheck.Valid, client);
    }

    // A short cache: every request would otherwise read the table, and a revocation must
    // still reach every process within seconds (TokenCacheSeconds ≤ 5).
    private async Task<ApiClientRow?> FindCachedAsync(string id, CancellationToken ct)
    {
        var seconds = options.Value.TokenCacheSeconds;
        if (seconds > 0 && cache.TryGetValue<ApiClientRow?>($"api-client:{id}", out var cached))
        {
            return cached;
        }

        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ApiClientRow>(new CommandDefinition($"SELECT {Columns} FROM api_clients WHERE id = @id", new { id }, cancellationToken: ct));
        if (seconds > 0)
        {
            cache.Set($"api-client:{id}", row, TimeSpan.FromSeconds(seconds));
        }

        return row;
    }

    private static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 200)
        {
            return false;
        }

        var separator = token.IndexOf('_', Prefix.Length);
        if (separator < 0)
        {
            return false;
        }

        id = token[Prefix.Length..separator];
        secret = token[(separator + 1)..];
        return id.Length == 12 && id.All(char.IsAsciiLetterOrDigit) && secret.Length > 0;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string RandomId() =>
        RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 12);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
