using System.CommandLine;
using Manta.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Manta.Server.Cli;

/// <summary><c>manta serve [--config FILE] [--data-dir DIR] [--log-format console|json] [--Manta:Section:Key=value ...]</c>.</summary>
public static class ServeCommand
{
    /// <summary>The <c>serve</c> subcommand.</summary>
    public static Command Create()
    {
        var serve = new Command("serve", "Run the broker (the default). Configuration overrides follow as --Section:Key=value, e.g. --Manta:Listeners:0:Port=1884.");
        serve.Options.Add(MantaCommandLine.Help());
        Configure(serve);
        return serve;
    }

    /// <summary>Adds the serve options and action to <paramref name="command"/> (the root command and <c>serve</c>).</summary>
    public static void Configure(Command command)
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "A JSON configuration file, read after appsettings.json (environment variables and command-line overrides still win)." };
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "Directory for durable state (sets Manta:DataDirectory; created if missing)." };
        var logFormat = new Option<LogFormat>("--log-format")
        {
            Description = "Console log format: console (human-readable) or json (one JSON object per line).",
            DefaultValueFactory = _ => LogFormat.Console,
        };
        command.Options.Add(config);
        command.Options.Add(dataDir);
        command.Options.Add(logFormat);

        // Everything else (--Manta:Listeners:0:Port=1884, --Logging:LogLevel:Manta=Debug) is configuration.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => RunAsync(
            parse.UnmatchedTokens,
            parse.GetValue(config)?.FullName,
            parse.GetValue(dataDir)?.FullName,
            parse.GetValue(logFormat)));
    }

    /// <summary>Checks that <paramref name="tokens"/> are configuration overrides (<c>--Key=value</c>, <c>--Key value</c>, <c>/Key=value</c>); returns the first one that is not.</summary>
    public static string? FirstNonOverride(IReadOnlyList<string> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2)
            {
                if (!token.Contains('=', StringComparison.Ordinal))
                {
                    i++; // `--Key value`: the next token is the value.
                    if (i >= tokens.Count)
                    {
                        return token;
                    }
                }

                continue;
            }

            if (token.StartsWith('/') && token.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            return token;
        }

        return null;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> overrides, string? configFile, string? dataDirectory, LogFormat logFormat)
    {
        if (FirstNonOverride(overrides) is { } unknown)
        {
            await Console.Error.WriteLineAsync($"manta: unrecognized argument '{unknown}' (configuration overrides look like --Manta:Section:Key=value). Try `manta --help`.");
            return ExitCodes.Usage;
        }

        if (configFile is not null && !File.Exists(configFile))
        {
            await Console.Error.WriteLineAsync($"manta: configuration file not found: {configFile} (--config).");
            return ExitCodes.Usage;
        }

        try
        {
            var app = MantaHost.Build([.. overrides], new MantaHostOptions(configFile, dataDirectory, logFormat == LogFormat.Json));
            await app.RunAsync();
            return ExitCodes.Ok;
        }
        catch (OptionsValidationException exception)
        {
            await Console.Error.WriteLineAsync("manta: invalid configuration:");
            foreach (var failure in exception.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure);
            }

            return ExitCodes.Usage;
        }
        catch (InvalidDataException exception) when (configFile is not null)
        {
            await Console.Error.WriteLineAsync($"manta: cannot read configuration file {configFile}: {exception.Message}");
            return ExitCodes.Usage;
        }
        catch (IOException exception) when (exception.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"manta: cannot listen: {exception.Message} Check Manta:Listeners:N:Address and :Port.");
            return ExitCodes.Usage;
        }
        catch (Storage.Sqlite.StoreUnavailableException exception)
        {
            // Never wiped or recreated: the operator decides what to do with the file.
            await Console.Error.WriteLineAsync($"manta: cannot use the database: {exception.Message}");
            return ExitCodes.Usage;
        }
        catch (UnauthorizedAccessException exception)
        {
            await Console.Error.WriteLineAsync($"manta: {exception.Message} (check --data-dir / Manta:DataDirectory).");
            return ExitCodes.Usage;
        }
    }
}
