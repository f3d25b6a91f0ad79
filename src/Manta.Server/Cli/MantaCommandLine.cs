using System.CommandLine;
using System.CommandLine.Help;
using System.Reflection;

namespace Manta.Server.Cli;

/// <summary>The <c>manta</c> command line: <c>serve</c> (the default), <c>pub</c>, <c>sub</c>, <c>cert dev</c>.</summary>
public static class MantaCommandLine
{
    /// <summary>The informational version of the executable.</summary>
    public static string Version =>
        typeof(MantaCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Builds the root command; <c>manta</c> with no command serves.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Manta: an MQTT broker (3.1, 3.1.1, 5.0). Without a command, `manta` serves (see `manta serve --help`).");

        // -h belongs to pub/sub (host, as in mosquitto_pub); help is --help or -? everywhere, and -h only on the root.
        for (var i = root.Options.Count - 1; i >= 0; i--)
        {
            if (root.Options[i] is HelpOption)
            {
                root.Options.RemoveAt(i);
            }
        }

        root.Options.Add(new HelpOption("--help", "-h", "-?") { Recursive = false });

        // The root is `serve`, so the configuration overrides work without the command name.
        ServeCommand.Configure(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(PubCommand.Create());
        root.Subcommands.Add(SubCommand.Create());
        root.Subcommands.Add(CertCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("manta: " + error.Message);
            }

            await Console.Error.WriteLineAsync("Try `manta --help`.");
            return ExitCodes.Usage;
        }

        // The host handles SIGTERM/SIGINT itself (graceful stop); the parser must not force an exit.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
    }

    /// <summary>A subcommand's help option: <c>--help</c>, <c>-?</c> and, unless the command uses it for the host (pub, sub), <c>-h</c>.</summary>
    internal static HelpOption Help(bool dashH = true) => dashH ? new("--help", "-h", "-?") : new("--help", "-?");
}
