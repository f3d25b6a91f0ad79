using System.Globalization;
using System.Net.Sockets;

namespace Manta.Server.Tests.Support;

/// <summary>Runs the real <c>manta.dll</c> (src/Manta.Server's build output) as a separate process: every process bounded in time and killed by PID on dispose.</summary>
internal static class MantaProcess
{
    public static string Dll()
    {
        var nextToTests = Path.Combine(AppContext.BaseDirectory, "manta.dll");
        if (File.Exists(nextToTests))
        {
            return nextToTests;
        }

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Parent?.Name ?? "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Manta.slnx")))
        {
            dir = dir.Parent;
        }

        var candidate = dir is null ? null : Path.Combine(dir.FullName, "src", "Manta.Server", "bin", configuration, "net10.0", "manta.dll");
        return candidate is not null && File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException("manta.dll found neither next to the tests nor in src/Manta.Server/bin", candidate);
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    /// <summary>Starts <c>manta ARGS</c> as given (no extra arguments).</summary>
    public static ExternalProcess Start(params string[] arguments) => Start(null, arguments);

    /// <summary>Starts <c>manta ARGS</c> with extra environment variables.</summary>
    public static ExternalProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var dll = Dll();
        return ExternalProcess.Start(DotnetHost(), [dll, .. arguments], Path.GetDirectoryName(dll), environment);
    }

    /// <summary>Runs <c>manta ARGS</c> to completion (bounded); returns the process (exited) and its exit code.</summary>
    public static async Task<(ExternalProcess Process, int ExitCode)> RunAsync(params string[] arguments)
    {
        var process = Start(arguments);
        var code = await process.WaitForExitAsync(Timeouts.Process);
        return (process, code);
    }

    /// <summary>Starts a server (<c>manta serve ...</c>) with its HTTP side on a free loopback port.</summary>
    public static ExternalProcess StartServer(params string[] arguments) => StartServer(null, arguments);

    /// <summary>As <see cref="StartServer(string[])"/>, with extra environment variables.</summary>
    public static ExternalProcess StartServer(IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        Start(environment, ["serve", .. arguments, .. StorageArguments(arguments), $"--Manta:Http:Port={MantaServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture)}", "--Manta:Http:Address=127.0.0.1"]);

    /// <summary>
    /// As <see cref="StartServer(string[])"/>, but held to the file permissions: as root (which
    /// reads and writes any file whatever its mode) the process runs under <c>setpriv</c> without
    /// the capabilities that override them, so a file of mode 000 or 444 is refused to it as to
    /// any other user.
    /// </summary>
    public static ExternalProcess StartServerHeldToFilePermissions(params string[] arguments)
    {
        string[] server = ["serve", .. arguments, $"--Manta:Http:Port={MantaServer.FreeTcpPort().ToString(CultureInfo.InvariantCulture)}", "--Manta:Http:Address=127.0.0.1"];
        var dll = Dll();
        if (!Environment.IsPrivilegedProcess)
        {
            return ExternalProcess.Start(DotnetHost(), [dll, .. server], Path.GetDirectoryName(dll));
        }

        const string SetPriv = "/usr/bin/setpriv";
        Assert.True(File.Exists(SetPriv), $"running as root, the test needs {SetPriv} (Debian package util-linux) to drop CAP_DAC_OVERRIDE");
        return ExternalProcess.Start(SetPriv, ["--bounding-set", "-dac_override,-dac_read_search", "--", DotnetHost(), dll, .. server], Path.GetDirectoryName(dll));
    }

    /// <summary>Memory mode unless the test chose where state goes: parallel servers must not share one ./data database.</summary>
    private static string[] StorageArguments(string[] arguments)
        => arguments.Any(a => a.Contains("DataDirectory", StringComparison.Ordinal) || a.Contains("--data-dir", StringComparison.Ordinal) || a.Contains("Storage:", StringComparison.Ordinal))
            ? []
            : ["--Manta:Storage:Mode=Memory"];

    public static async Task WaitUntilListeningAsync(ExternalProcess manta, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            Assert.False(manta.HasExited, $"manta exited before listening.\n{manta.Describe()}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
