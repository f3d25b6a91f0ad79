using System.Diagnostics;
using System.Text;

namespace Manta.Server.Tests.Support;

/// <summary>
/// A child process with its stdout lines and stderr captured; every wait is bounded and the
/// process is killed (by its PID) when disposed if it is still running.
/// </summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly string _commandLine;

    private ExternalProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new ExternalProcess(process, fileName + " " + string.Join(' ', info.ArgumentList));
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (result._gate)
                {
                    result._stdout.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (result._gate)
                {
                    result._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs to completion within <paramref name="timeout"/>; a process still running then is killed and the test fails.</summary>
    public static async Task<ExternalProcess> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var process = Start(fileName, arguments);
        await process.WaitForExitAsync(timeout ?? Timeouts.Process);
        return process;
    }

    /// <summary>The exit code, waiting at most <paramref name="timeout"/>; on timeout the process is killed and the test fails.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new Xunit.Sdk.XunitException($"'{_commandLine}' did not exit within {timeout.TotalSeconds:0.#}s; killed.\n{Describe()}");
        }

        // WaitForExitAsync returns after the output streams reached EOF, so the captured output is complete.
        return _process.ExitCode;
    }

    /// <summary>The first stdout line (from the start) matching <paramref name="predicate"/>, polling until <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (true)
        {
            var match = StdoutLines.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"'{_commandLine}': no stdout line {what ?? "as expected"} within {(timeout ?? Timeouts.Expect).TotalSeconds:0.#}s.\n{Describe()}");
            }

            if (_process.HasExited)
            {
                // Let the last lines drain before the final check.
                await Task.Delay(100);
                match = StdoutLines.FirstOrDefault(predicate);
                return match ?? throw new Xunit.Sdk.XunitException($"'{_commandLine}' exited ({_process.ExitCode}) without a stdout line {what ?? "as expected"}.\n{Describe()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>SIGKILL by PID (what <see cref="Process.Kill()"/> sends on Unix).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }

    /// <summary>Sends a signal by PID with <c>kill -SIG pid</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        var kill = Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TimeSpan.FromSeconds(5));
        await kill.DisposeAsync();
    }

    public string Describe() => $"stdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
    }
}
