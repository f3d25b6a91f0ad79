using System.CommandLine;

namespace Manta.Server.Cli;

/// <summary><c>manta cert dev [--out DIR] [--host NAME ...]</c>: a development CA, server and client certificate.</summary>
public static class CertCommand
{
    private static readonly string[] Files = ["ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key"];

    /// <summary>The <c>cert</c> command and its <c>dev</c> subcommand.</summary>
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Directory to write into (created if missing).", DefaultValueFactory = _ => new DirectoryInfo("certs") };
        var hosts = new Option<string[]>("--host") { Description = "Extra DNS name or IP address for the server certificate (repeatable); localhost, 127.0.0.1 and ::1 are always in it." };
        var days = new Option<int?>("--days") { Description = "Validity in days (default 365)." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing files." };

        var dev = new Command("dev", "Write a development CA (ca.pem, ca.key), a server certificate (server.pem, server.key) and a client certificate (client.pem, client.key) signed by it. Not for production.");
        dev.Options.Add(MantaCommandLine.Help());
        foreach (var option in new Option[] { output, hosts, days, force })
        {
            dev.Options.Add(option);
        }

        dev.Validators.Add(result =>
        {
            if (result.GetValue(days) is < 1 or > 3650)
            {
                result.AddError("--days must be between 1 and 3650.");
            }
        });

        dev.SetAction(async parse =>
        {
            var directory = parse.GetValue(output)!.FullName;
            var existing = Files
                .Select(f => Path.Combine(directory, f)).Where(File.Exists).ToList();
            if (existing.Count > 0 && !parse.GetValue(force))
            {
                await Console.Error.WriteLineAsync($"manta cert dev: {existing[0]} exists; use --force to overwrite.");
                return ExitCodes.Usage;
            }

            IReadOnlyList<string> written;
            try
            {
                written = DevCertificates.Write(directory, parse.GetValue(hosts) ?? [], TimeSpan.FromDays(parse.GetValue(days) ?? 365));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"manta cert dev: {exception.Message}");
                return ExitCodes.Failed;
            }

            var path = (string file) => Path.Combine(directory, file);
            var text = $"""
                Wrote {string.Join(", ", written.Select(Path.GetFileName))} in {directory}

                Enable TLS (a TLS listener on 8883 is added when Manta:Certificate is set):

                  --Manta:Certificate:CertificatePath={path("server.pem")}
                  --Manta:Certificate:KeyPath={path("server.key")}

                or in appsettings.json:

                  "Manta": {"{"} "Certificate": {"{"} "CertificatePath": "{path("server.pem")}", "KeyPath": "{path("server.key")}" {"}"} {"}"}

                Mutual TLS on a listener: ClientCertificates=Required and ClientCaPath={path("ca.pem")}.

                Try it:

                  mosquitto_pub -h localhost -p 8883 --cafile {path("ca.pem")} -t test -m hello
                  manta pub -h localhost -p 8883 --cafile {path("ca.pem")} -t test -m hello
                  (with a client certificate: --cert {path("client.pem")} --key {path("client.key")})
                """;
            await Console.Out.WriteLineAsync(text);
            return ExitCodes.Ok;
        });

        var cert = new Command("cert", "Certificates: `manta cert dev` writes a development CA and certificates.");
        cert.Options.Add(MantaCommandLine.Help());
        cert.Subcommands.Add(dev);
        return cert;
    }
}
