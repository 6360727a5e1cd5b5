using System.CommandLine;
using System.CommandLine.Help;

namespace MediaLibrary.Cli;

/// The command line: `token create|list|revoke`, `db migrate`, `seed`. The same executable as the
/// web host, reading exactly the same settings: appsettings.json, environment variables and
/// `--Section:Key=value` flags (any flag whose name holds a `:` is a setting, wherever it stands),
/// so `token create … --MediaLibrary:Database:Provider=postgres` writes where the server reads.
internal sealed class CliCommand
{
    // The first word of every command, from the command tree itself (a new command cannot be forgotten here).
    private static readonly HashSet<string> Verbs =
        [.. CliCommands.Root(new CliServices()).Subcommands.Select(c => c.Name), "help", "--help", "-h", "-?"];

    private readonly ParseResult _parse;
    private readonly CliServices _services;

    private CliCommand(ParseResult parse, CliServices services, string[] settings) => (_parse, _services, Settings) = (parse, services, settings);

    /// The setting flags, for the host's configuration.
    public string[] Settings { get; }

    /// Help and argument errors are answered before any host is built (no database is touched).
    public bool NeedsHost => _parse.Errors.Count == 0 && _parse.Action is not HelpAction;

    /// Null when the arguments start the web host instead.
    public static CliCommand? FromArgs(string[] args)
    {
        var (settings, rest) = Split(args);
        if (rest.Count == 0 || !Verbs.Contains(rest[0]))
        {
            return null;
        }

        if (rest[0] == "help")
        {
            rest[0] = "--help";
        }

        var services = new CliServices();
        return new CliCommand(CliCommands.Root(services).Parse(rest), services, settings);
    }

    /// Runs the command without a host (help, errors) or with the built host's services.
    public Task<int> InvokeAsync(IServiceProvider? services, CancellationToken ct)
    {
        _services.Provider = services;
        // stdout carries only a command's answer (a token must be capturable): help after an error goes to stderr.
        var output = new InvocationConfiguration();
        if (_parse.Errors.Count > 0)
        {
            output.Output = Console.Error;
        }

        return _parse.InvokeAsync(output, ct);
    }

    private static (string[] Settings, List<string> Command) Split(string[] args)
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

        return ([.. settings], rest);
    }
}

/// The host's services, handed to the command's action once the host is built.
internal sealed class CliServices
{
    public IServiceProvider? Provider { get; set; }

    public T Get<T>() where T : notnull =>
        (Provider ?? throw new InvalidOperationException("The command ran before the host was built.")).GetRequiredService<T>();
}
