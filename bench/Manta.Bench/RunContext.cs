using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>What every scenario needs: the options, where the broker is, how to name and bind clients, and the run's cancellation.</summary>
internal sealed class RunContext(BenchOptions options, IPAddress[]? sourceAddresses, long? brokerRssBeforeKib, CancellationToken cancellationToken)
{
    /// <summary>Longest wait for one TCP connect plus CONNACK (or SUBACK) during setup; a broker that takes longer is refusing.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>After the measured time, how long the tool waits for the broker to close connections it sent DISCONNECT on.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public BenchOptions Options { get; } = options;

    public IPEndPoint Broker { get; } = new(options.Host, options.Port);

    public ClientIds Ids { get; } = new();

    /// <summary>The broker's VmRSS before the tool opened any connection.</summary>
    public long? BrokerRssBeforeKib { get; } = brokerRssBeforeKib;

    /// <summary>Fires on Ctrl-C.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>The source address of connection <paramref name="index"/>, or null to let the kernel pick.</summary>
    public IPAddress? SourceFor(long index) => sourceAddresses is null ? null : sourceAddresses[(int)(index % sourceAddresses.Length)];

    /// <summary>Describes the source addresses for the start line.</summary>
    public string SourceDescription => sourceAddresses is null ? "kernel-chosen source address" : $"source addresses 127.0.0.1-{sourceAddresses[^1]}";

    /// <summary>
    /// Runs <paramref name="handshake"/> for indexes 0..count-1, at most --parallel at once,
    /// each bounded by <see cref="HandshakeTimeout"/>; turns the first failure into a
    /// <see cref="BenchSetupException"/> that says which connection and why.
    /// </summary>
    public async Task HandshakeAllAsync(int count, string what, Func<int, CancellationToken, Task> handshake)
    {
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = Options.Parallel, CancellationToken = CancellationToken },
                async (i, ct) =>
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(HandshakeTimeout);
                    try
                    {
                        await handshake(i, timeout.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        throw new BenchSetupException(string.Create(CultureInfo.InvariantCulture, $"{what} {i}: no answer from {Broker} within {HandshakeTimeout.TotalSeconds:F0} s"));
                    }
                    catch (SocketException ex)
                    {
                        throw new BenchSetupException($"{what} {i}: cannot connect to {Broker}: {ex.SocketErrorCode} ({ex.Message})", ex);
                    }
                });
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new BenchSetupException("interrupted during setup");
        }
    }

    /// <summary>
    /// Ends whatever session the broker holds for each of <paramref name="clientIds"/>: CONNECT
    /// with a clean session (which discards a stored one; in 5.0 clean start and no Session Expiry
    /// Interval), DISCONNECT, and wait for the broker to close (at most <see cref="CloseTimeout"/>),
    /// which ends the new session too. Bounded and parallel like <see cref="HandshakeAllAsync"/>.
    /// </summary>
    public Task DiscardSessionsAsync(IReadOnlyList<string> clientIds, string what) =>
        HandshakeAllAsync(clientIds.Count, what, async (i, ct) =>
        {
            using var connection = new IdleConnection(clientIds[i], Options.Protocol, Broker, SourceFor(i));
            await connection.ConnectAsync(PacketTemplates.Connect(connection.Name, Options.Protocol, keepAliveSeconds: 0), 0, ct);
            var loop = connection.RunReceiveLoopAsync(ct);
            await connection.SendDisconnectAsync(ct);
            try
            {
                await loop.WaitAsync(CloseTimeout, ct);
            }
            catch (TimeoutException)
            {
                // A broker that does not close after DISCONNECT: closed on dispose.
            }
        });

    /// <summary>Sends DISCONNECT on every open connection, waits up to <see cref="CloseTimeout"/> for the broker to close them, then closes them all.</summary>
    public static async Task DisconnectAllAsync(IReadOnlyList<Connection> connections, IEnumerable<Task> receiveLoops)
    {
        foreach (var connection in connections)
        {
            await connection.SendDisconnectAsync(CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(receiveLoops).WaitAsync(CloseTimeout);
        }
        catch (TimeoutException)
        {
            // Brokers that do not close after DISCONNECT are closed below.
        }

        foreach (var connection in connections)
        {
            connection.Close();
        }
    }

    /// <summary>Writes to stderr how many connections ended early and the commonest reasons.</summary>
    public static void ReportEarlyCloses(IEnumerable<Connection> connections)
    {
        foreach (var group in connections.Where(c => c.CloseReason is not null).GroupBy(c => c.CloseReason!).OrderByDescending(g => g.Count()).Take(3))
        {
            Console.Error.WriteLine($"{group.Count()} connection(s) ended early: {group.Key} (e.g. {group.First().Name})");
        }
    }
}
