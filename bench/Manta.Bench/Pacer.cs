using System.Diagnostics;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>
/// Fixed-rate publishing (--rate): one timer for all publishers, each publisher's share of the
/// total rate, the publishers taking turns evenly.
/// </summary>
/// <remarks>
/// Publisher i's k-th publish is due at (k + i/N) / r seconds, r being its share of the rate
/// and N the publishers: the total rate is even, not N publishes at once. Every tick sends
/// what became due (at QoS 1 and 2 within the window; what the window holds back stays due).
/// The tick is 1/rate, but no shorter than 1 ms: .NET timers tick at about 1 ms on Linux, so
/// per-publisher timers would all fire on the same tick anyway; one timer costs 1,000 wake-ups
/// a second instead of one per publisher per publish. Latency is measured from the moment a
/// PUBLISH is written: when the publishers fall behind (PublishRate below Rate) the time a
/// publish waited to be sent is not in it.
/// </remarks>
internal sealed class Pacer(Publisher[] publishers, double totalRate)
{
    /// <summary>Shortest tick: the resolution of .NET timers on Linux.</summary>
    private const double MinTickSeconds = 1e-3;

    /// <summary>Longest tick, so a very low rate still starts promptly and stops within 0.1 s.</summary>
    private const double MaxTickSeconds = 0.1;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var share = totalRate / publishers.Length;
        var issued = new long[publishers.Length];
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(1 / totalRate, MinTickSeconds, MaxTickSeconds)));
        var start = Stopwatch.GetTimestamp();
        try
        {
            do
            {
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var active = 0;
                for (var i = 0; i < publishers.Length; i++)
                {
                    var publisher = publishers[i];
                    if (publisher.IsStopping || !publisher.IsOpen)
                    {
                        continue;
                    }

                    active++;
                    var due = (long)Math.Floor((seconds * share) - ((double)i / publishers.Length)) + 1;
                    if (due > issued[i])
                    {
                        try
                        {
                            issued[i] += await publisher.SendPacedAsync((int)Math.Min(due - issued[i], int.MaxValue), cancellationToken);
                        }
                        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                        {
                            // The connection is gone; its receive loop records why.
                        }
                    }
                }

                if (active == 0)
                {
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
