using System.CommandLine;
using System.CommandLine.Help;

namespace MediaLibrary.Cli;

/// The command line: `token create|list|revoke`, `db migrate`, `seed`. The same executable as the
/// web host, reading exactly the same settings: appsettings.json, environment variables and
/// `--Section:Key=value` flags (any flag whose name holds a `:` is a setting, wherever it stands),
/// so `token create … --MediaLibrary:Database:Provider=postgres` writes where the server reads.
internal sealed class CliCommand
{
    private readonly ParseResult _parse;
    private readonly CliServices _services;
    private readonly string? _unknown;

    private CliCommand(ParseResult parse, CliServices services, string[] settings, string? unknown) =>
        (_parse, _services, Settings, _unknown) = (parse, services, settings, unknown);

    /// The setting flags, for the host's configuration.
    public string[] Settings { get; }

    /// Help, unknown commands and argument errors are answered before any host is built (no database, no ./data).
    public bool NeedsHost => _unknown is null && _parse.Errors.Count == 0 && _parse.Action is not HelpAction;

    /// Null when the arguments start the web host instead: no command word, only flags and their values.
    public static CliCommand? FromArgs(string[] args)
    {
        var (settings, command) = CliArgs.Split(args);
        if (command.Length == 0)
        {
            return null;
        }

        if (command[0] == "help")
        {
            command[0] = "--help";
        }

        var services = new CliServices();
        var root = CliCommands.Root(services);
        var known = CliArgs.HelpFlags.Contains(command[0]) || root.Subcommands.Any(c => c.Name == command[0]);
        return new CliCommand(root.Parse(command), services, settings, known ? null : command[0]);
    }

    /// Runs the command without a host (help, errors) or with the built host's services.
    public Task<int> InvokeAsync(IServiceProvider? services, CancellationToken ct)
    {
        if (_unknown is not null)
        {
            return Task.FromResult(ReportUnknown(_unknown, _parse.RootCommandResult.Command));
        }

        _services.Provider = services;
        // stdout carries only a command's answer (a token must be capturable): help after an error goes to stderr.
        var output = new InvocationConfiguration();
        if (_parse.Errors.Count > 0)
        {
            output.Output = Console.Error;
        }

        return _parse.InvokeAsync(output, ct);
    }

    private static int ReportUnknown(string word, Command root)
    {
        var error = Console.Error;
        error.WriteLine($"MediaLibrary: unknown command '{word}'. The commands are:");
        foreach (var command in root.Subcommands)
        {
            error.WriteLine($"  {command.Name,-10} {command.Description}");
        }

        error.WriteLine("  help       Show help; `COMMAND --help` shows a command's options.");
        error.WriteLine("Without a command (flags such as --urls http://127.0.0.1:8080 only) MediaLibrary starts the API.");
        return 2;
    }
}

/// The host's services, handed to the command's action once the host is built.
internal sealed class CliServices
{
    public IServiceProvider? Provider { get; set; }

    public T Get<T>() where T : notnull =>
        (Provider ?? throw new InvalidOperationException("The command ran before the host was built.")).GetRequiredService<T>();
}
