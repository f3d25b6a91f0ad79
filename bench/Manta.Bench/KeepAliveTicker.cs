using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>
/// The one clock behind every connection's keep-alive: four times a second it offers each
/// connection a PINGREQ, which the connection sends only when it wrote nothing for half its
/// keep-alive (<see cref="Connection.PingIfIdleAsync"/>). Busy connections never ping.
/// </summary>
internal sealed class KeepAliveTicker(IReadOnlyList<Connection> connections)
{
    /// <summary>Tick period: a quarter second keeps even a 1 s keep-alive well inside the broker's 1.5x grace.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private long _pings;

    /// <summary>PINGREQ packets sent.</summary>
    public long Pings => Volatile.Read(ref _pings);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Environment.TickCount64;
                for (var i = 0; i < connections.Count; i++)
                {
                    try
                    {
                        if (await connections[i].PingIfIdleAsync(now, cancellationToken))
                        {
                            Volatile.Write(ref _pings, _pings + 1);
                        }
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                        // The connection is gone; its receive loop records why.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
