using System.Diagnostics;
using System.Globalization;

namespace Manta.Bench;

/// <summary>The readings of one measured window.</summary>
/// <param name="Seconds">Wall time of the window.</param>
/// <param name="ToolCpuSeconds">The tool's user + system CPU time in the window.</param>
/// <param name="BrokerCpuSeconds">The broker's, when its pid is known.</param>
/// <param name="BrokerRssKib">The broker's VmRSS at the end.</param>
/// <param name="BrokerPeakRssKib">The broker's VmHWM at the end.</param>
/// <param name="ToolAllocatedBytes">Bytes the tool allocated in the window (all threads).</param>
internal readonly record struct ResourceReading(
    double Seconds,
    double ToolCpuSeconds,
    double? BrokerCpuSeconds,
    long? BrokerRssKib,
    long? BrokerPeakRssKib,
    long ToolAllocatedBytes);

/// <summary>
/// Measures a window: wall time, the tool's own CPU time next to the broker's (from
/// /proc/&lt;pid&gt;), the broker's RSS and the tool's allocations, and formats the CPU part of
/// the once-a-second progress line.
/// </summary>
internal sealed class ResourceMeter(int? brokerPid) : IDisposable
{
    /// <summary>How close to the end of the window counts as the end.</summary>
    private static readonly TimeSpan EndTolerance = TimeSpan.FromMilliseconds(20);

    private readonly Process _self = Process.GetCurrentProcess();
    private readonly Stopwatch _clock = new();
    private TimeSpan _toolStart;
    private double? _brokerStart;
    private long _allocatedStart;
    private TimeSpan _lastTick;
    private TimeSpan _lastTool;
    private double? _lastBroker;

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Starts the window.</summary>
    public void Start()
    {
        _self.Refresh();
        _toolStart = _lastTool = _self.TotalProcessorTime;
        _brokerStart = _lastBroker = brokerPid is int pid ? ProcStat.CpuSeconds(pid) : null;
        _allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        _lastTick = TimeSpan.Zero;
        _clock.Restart();
    }

    /// <summary>"tool cpu N%  broker cpu N%  rss N MiB" over the time since the previous call (or the start).</summary>
    public string Interval()
    {
        var now = _clock.Elapsed;
        var seconds = Math.Max((now - _lastTick).TotalSeconds, 1e-3);
        _self.Refresh();
        var tool = _self.TotalProcessorTime;
        var line = string.Create(CultureInfo.InvariantCulture, $"tool cpu {(tool - _lastTool).TotalSeconds / seconds * 100,4:F0}%");
        if (brokerPid is int pid && ProcStat.CpuSeconds(pid) is double broker)
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"  broker cpu {(broker - (_lastBroker ?? broker)) / seconds * 100,4:F0}%  rss {ProcStat.StatusKib(pid, "VmRSS") / 1024.0,7:F1} MiB");
            _lastBroker = broker;
        }

        (_lastTick, _lastTool) = (now, tool);
        return line;
    }

    /// <summary>
    /// Waits until the next whole second of the window, or its end if that comes first;
    /// false once <paramref name="duration"/> has passed (within 20 ms: timers can fire a
    /// little early) or <paramref name="cancellationToken"/> fired.
    /// </summary>
    public async Task<bool> WaitForNextSecondAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var elapsed = _clock.Elapsed;
        var remaining = duration - elapsed;
        if (remaining < EndTolerance || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var toNextSecond = TimeSpan.FromSeconds(Math.Floor(elapsed.TotalSeconds + EndTolerance.TotalSeconds) + 1) - elapsed;
        try
        {
            await Task.Delay(toNextSecond < remaining ? toNextSecond : remaining, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        return true;
    }

    /// <summary>Totals since <see cref="Start"/>.</summary>
    public ResourceReading Read()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        _self.Refresh();
        var tool = (_self.TotalProcessorTime - _toolStart).TotalSeconds;
        double? broker = null;
        long? rss = null, peak = null;
        if (brokerPid is int pid)
        {
            broker = ProcStat.CpuSeconds(pid) - _brokerStart;
            rss = ProcStat.StatusKib(pid, "VmRSS");
            peak = ProcStat.StatusKib(pid, "VmHWM");
        }

        return new ResourceReading(seconds, tool, broker, rss, peak, GC.GetTotalAllocatedBytes(precise: true) - _allocatedStart);
    }

    public void Dispose() => _self.Dispose();
}
