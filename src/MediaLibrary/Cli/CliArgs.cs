namespace MediaLibrary.Cli;

/// Which arguments are the host's and which are a command's. The host's configuration reads flags
/// (`--key value`, `--key=value`; a lone `-k` takes no value) and silently skips any other word, so
/// the first word it would skip starts a command, known or not: a typo must not start the API.
internal static class CliArgs
{
    public static readonly IReadOnlySet<string> HelpFlags = new HashSet<string>(["--help", "-h", "-?"], StringComparer.Ordinal);

    /// Settings are flags for the host's configuration: those whose name holds a `:` (wherever they
    /// stand) and the flags before the command. No command words: the arguments start the API.
    public static (string[] Settings, string[] Command) Split(string[] args)
    {
        var (settings, rest) = SplitSettings(args);
        var start = CommandStart(rest);
        return ([.. settings, .. rest[..start]], [.. rest[start..]]);
    }

    private static int CommandStart(List<string> args)
    {
        var i = 0;
        while (i < args.Count && args[i].StartsWith('-') && !HelpFlags.Contains(args[i]))
        {
            // As the configuration reads them: `--urls http://x` is one setting, `--urls=http://x` and `-v` stand alone.
            i += args[i].StartsWith("--", StringComparison.Ordinal) && !args[i].Contains('=', StringComparison.Ordinal) ? 2 : 1;
        }

        return Math.Min(i, args.Count);
    }

    private static (List<string> Settings, List<string> Words) SplitSettings(string[] args)
    {
        var settings = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..].Split('=', 2)[0] : "";
            if (!name.Contains(':', StringComparison.Ordinal))
            {
                rest.Add(arg);
                continue;
            }

            settings.Add(arg);
            if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
            {
                settings.Add(args[++i]);
            }
        }

        return (settings, rest);
    }
}
