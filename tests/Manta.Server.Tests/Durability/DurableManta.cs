using System.Globalization;
using System.Text;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Durability;

/// <summary>
/// The real <c>manta</c> executable with its own data directory and MQTT port, which it keeps
/// across restarts: start, <c>kill -9</c>, start again on the same port and database. The data
/// directory is deleted on dispose. Every process it started is killed by PID on dispose.
/// </summary>
internal sealed class DurableManta : IAsyncDisposable
{
    /// <summary>How long one start may take until the port accepts connections (startup plus opening the database).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string[] _arguments;
    private readonly StringBuilder _history = new();
    private ExternalProcess? _process;
    private int _starts;

    private DurableManta(string dataDirectory, int port, string[] arguments)
    {
        DataDirectory = dataDirectory;
        Port = port;
        _arguments = arguments;
    }

    /// <summary>The loopback address manta listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The MQTT port, the same in every start.</summary>
    public int Port { get; }

    /// <summary>The data directory (<c>Manta:DataDirectory</c>), the same in every start.</summary>
    public string DataDirectory { get; }

    /// <summary>The SQLite database manta keeps in <see cref="DataDirectory"/>.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "manta.db");

    /// <summary>The running process (the latest start).</summary>
    public ExternalProcess Process => _process ?? throw new InvalidOperationException("manta was not started");

    /// <summary>A fresh temp data directory (not created: manta creates it) and a free port; nothing started yet.</summary>
    public static DurableManta Create(params string[] extraArguments)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "manta-durable-" + Guid.NewGuid().ToString("N"));
        var port = MantaServer.FreeTcpPort();
        string[] arguments =
        [
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1",
            "--Manta:Http:Enabled=false",
            $"--Manta:DataDirectory={dataDirectory}",
            .. extraArguments,
        ];
        return new DurableManta(dataDirectory, port, arguments);
    }

    /// <summary>Creates (see <see cref="Create"/>) and starts manta, waiting until it accepts connections.</summary>
    public static async Task<DurableManta> StartAsync(params string[] extraArguments)
    {
        var manta = Create(extraArguments);
        try
        {
            await manta.StartAgainAsync();
            return manta;
        }
        catch
        {
            await manta.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts manta without waiting for anything (for a start that is expected to fail).</summary>
    public async Task<ExternalProcess> StartUncheckedAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("manta is still running");
        }

        await RetireAsync();
        _starts++;
        _process = MantaProcess.StartServer(_arguments);
        return _process;
    }

    /// <summary>
    /// Starts manta (again) on the same port and data directory and waits until it accepts
    /// connections. A bind that fails because the killed process's port is not free yet is retried.
    /// </summary>
    public async Task StartAgainAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            var process = await StartUncheckedAsync();
            try
            {
                await MantaProcess.WaitUntilListeningAsync(process, Port);
                return;
            }
            catch (Xunit.Sdk.XunitException) when (process.HasExited && DateTime.UtcNow < deadline && IsAddressInUse(process))
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary><c>kill -9</c> (SIGKILL, no chance to flush or close anything) and wait until the process is gone.</summary>
    public async Task KillAsync()
    {
        var process = Process;
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM, the graceful stop; asserts exit code 0.</summary>
    public async Task StopAsync()
    {
        var process = Process;
        await process.SignalAsync("TERM");
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(code == 0, $"manta exited {code} after SIGTERM.\n{Describe()}");
    }

    /// <summary><c>kill -9</c>, then start again on the same port and database.</summary>
    public async Task KillAndRestartAsync()
    {
        await KillAsync();
        await StartAgainAsync();
    }

    /// <summary>The output of every start so far, for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder(_history.ToString());
        if (_process is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- manta start {_starts} (latest) ---\n").Append(_process.Describe());
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }

        DeleteDirectory(DataDirectory);
    }

    /// <summary>Deletes <paramref name="path"/> and everything in it, if it exists; a leftover temp directory is not worth failing a test over.</summary>
    public static void DeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static bool IsAddressInUse(ExternalProcess process) =>
        (process.Stderr + string.Join('\n', process.StdoutLines)).Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps the output of the previous process for <see cref="Describe"/> and releases it.</summary>
    private async Task RetireAsync()
    {
        if (_process is null)
        {
            return;
        }

        _history.Append(CultureInfo.InvariantCulture, $"--- manta start {_starts} ---\n").Append(_process.Describe()).Append('\n');
        await _process.DisposeAsync();
        _process = null;
    }
}
