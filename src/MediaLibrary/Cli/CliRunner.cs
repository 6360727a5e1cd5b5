using System.Globalization;
using MediaLibrary.Api;
using MediaLibrary.Clients;

namespace MediaLibrary.Cli;

/// What the CLI commands do. Only a created token goes to stdout, so `T=$(... token create ...)` works.
internal static class CliRunner
{
    public static async Task<int> RevokeTokenAsync(ApiClients clients, string name, CancellationToken ct)
    {
        if (await clients.RevokeAsync(name, ct))
        {
            await Console.Error.WriteLineAsync($"Revoked API client '{name}'. Running API processes refuse its token within seconds.");
            return 0;
        }

        return Fail(await clients.FindByNameAsync(name, ct) is null ? $"No API client named '{name}'." : $"API client '{name}' is already revoked.");
    }

    public static async Task<int> CreateTokenAsync(ApiClients clients, string name, string scopeList, string? expiresAt, CancellationToken ct)
    {
        var scopes = scopeList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (name.Length is 0 or > 100)
        {
            return Fail("token create needs --name NAME (at most 100 characters).");
        }

        if (scopes.Length == 0 || scopes.Any(s => !Scopes.All.Contains(s)))
        {
            return Fail($"token create needs --scopes with one or more of: {string.Join(",", Scopes.All)}.");
        }

        DateTimeOffset? expires = null;
        if (expiresAt is { } raw)
        {
            if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return Fail($"--expires '{raw}' is not a date (use e.g. 2027-01-01 or 2027-01-01T12:00:00Z).");
            }

            expires = parsed;
        }

        if (await clients.FindByNameAsync(name, ct) is not null)
        {
            return Fail($"An API client named '{name}' exists already; revoke it or pick another name.");
        }

        var (_, token) = await clients.CreateAsync(name, scopes.Distinct().ToArray(), expires, ct);
        await Console.Error.WriteLineAsync($"Created API client '{name}' with scopes {string.Join(",", scopes)}. The token is shown only this once:");
        Console.Out.WriteLine(token);
        return 0;
    }

    public static async Task<int> ListTokensAsync(ApiClients clients, CancellationToken ct)
    {
        var rows = await clients.ListAsync(ct);
        Console.Out.WriteLine($"{"NAME",-24} {"SCOPES",-34} {"CREATED",-25} {"EXPIRES",-25} REVOKED");
        foreach (var c in rows)
        {
            Console.Out.WriteLine($"{c.Name,-24} {c.Scopes,-34} {AppJson.Format(c.CreatedAt),-25} {Show(c.ExpiresAt),-25} {Show(c.RevokedAt)}");
        }

        return 0;
    }

    private static string Show(DateTimeOffset? value) => value is null ? "-" : AppJson.Format(value.Value);

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
