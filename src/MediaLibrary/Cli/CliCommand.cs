namespace MediaLibrary.Cli;

/// `token create|list|revoke`, `db migrate`: the same executable as the web host, same settings.
internal sealed record CliCommand(string[] Words, IReadOnlyDictionary<string, string> Flags)
{
    private static readonly HashSet<string> Verbs = ["token", "db", "seed", "help"];

    public static CliCommand? FromArgs(string[] args)
    {
        if (args.Length == 0 || !Verbs.Contains(args[0]))
        {
            return null;
        }

        var words = new List<string>();
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var name = args[i][2..];
                var eq = name.IndexOf('=');
                if (eq >= 0)
                {
                    flags[name[..eq]] = name[(eq + 1)..];
                }
                else
                {
                    flags[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
                }
            }
            else
            {
                words.Add(args[i]);
            }
        }

        return new CliCommand(words.ToArray(), flags);
    }

    public string Verb => string.Join(' ', Words);

    public string? Flag(string name) => Flags.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public const string Usage = """
        Usage:
          MediaLibrary                                   start the API (see README for settings)
          MediaLibrary token create --name NAME --scopes public-api:read,public-api:write [--expires 2027-01-01]
                                                         prints the new token (only once) on stdout
          MediaLibrary token list                        name, scopes, created, expires, revoked
          MediaLibrary token revoke --name NAME
          MediaLibrary db migrate                        apply database migrations and exit
          MediaLibrary seed --entries N [--documents M]  fill an empty library for benchmarks (bulk path)
        """;
}
