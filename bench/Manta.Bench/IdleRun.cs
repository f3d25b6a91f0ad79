using System.Diagnostics;
using System.Globalization;

namespace Manta.Bench;

/// <summary>
/// The idle scenario: open K connections (spread over the source addresses), keep them alive
/// with PINGREQ for the duration, and report how many survived and the broker's memory per
/// connection: (VmRSS 1 s after the last CONNACK - VmRSS before the first connect) / K.
/// </summary>
internal static class IdleRun
{
    public static async Task<BenchResults> RunAsync(RunContext context)
    {
        var o = context.Options;
        var k = o.Connections ?? 1000;
        var connections = new IdleConnection[k];
        for (var i = 0; i < k; i++)
        {
            connections[i] = new IdleConnection(context.Ids.For('i', i), o.Protocol, context.Broker, context.SourceFor(i));
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var keepAlive = new KeepAliveTicker(connections);
        var keepAliveTask = keepAlive.RunAsync(run.Token);
        var loops = new Task[k];
        Array.Fill(loops, Task.CompletedTask);
        var connectTicks = new long[k];
        var connected = 0;
        await Console.Error.WriteLineAsync(
            $"idle MQTT {o.ProtocolName}: {k} connections, keep-alive {o.KeepAliveSeconds} s, {o.Parallel} handshakes at once, {context.SourceDescription}, hold {o.DurationSeconds} s");

        // Setup, with progress: many thousands of handshakes take a while on some brokers.
        var setupClock = Stopwatch.StartNew();
        using var setupDone = new CancellationTokenSource();
        var setupProgress = Task.Run(
            async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                try
                {
                    while (await timer.WaitForNextTickAsync(setupDone.Token))
                    {
                        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"[setup {setupClock.Elapsed.TotalSeconds,3:F0}s] connected {Volatile.Read(ref connected)}/{k}"));
                    }
                }
                catch (OperationCanceledException)
                {
                }
            },
            CancellationToken.None);
        try
        {
            await context.HandshakeAllAsync(k, "connection", async (i, ct) =>
            {
                var c = connections[i];
                var start = Stopwatch.GetTimestamp();
                await c.ConnectAsync(PacketTemplates.Connect(c.Name, o.Protocol, o.KeepAliveSeconds), o.KeepAliveSeconds, ct);
                connectTicks[i] = Stopwatch.GetTimestamp() - start;
                loops[i] = c.RunReceiveLoopAsync(run.Token);
                Interlocked.Increment(ref connected);
            });
        }
        catch (BenchSetupException ex)
        {
            throw new BenchSetupException($"connected {Volatile.Read(ref connected)} of {k}: {ex.Message}", ex);
        }
        finally
        {
            await setupDone.CancelAsync();
            await setupProgress;
        }

        var setupSeconds = setupClock.Elapsed.TotalSeconds;
        var connectLatency = new LatencyRecorder();
        foreach (var ticks in connectTicks)
        {
            connectLatency.RecordTicks(ticks);
        }

        await Console.Error.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"connected {k} in {setupSeconds:F2} s ({k / setupSeconds:N0}/s, p50 {connectLatency.QuantileMicroseconds(0.5):N0} us, p99 {connectLatency.QuantileMicroseconds(0.99):N0} us)"));

        // Hold. The broker's RSS "after connecting" is read at the first tick, 1 s after the
        // last CONNACK, so lazily allocated per-connection state is in.
        using var meter = new ResourceMeter(o.BrokerPid);
        meter.Start();
        long? rssAfterConnect = null;
        var duration = TimeSpan.FromSeconds(o.DurationSeconds);
        while (await meter.WaitForNextSecondAsync(duration, context.CancellationToken))
        {
            if (rssAfterConnect is null && o.BrokerPid is int pid)
            {
                rssAfterConnect = ProcStat.StatusKib(pid, "VmRSS");
            }

            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"[{meter.Elapsed.TotalSeconds,4:F0}s] connected {connections.Count(c => c.IsOpen)}/{k}  pings {keepAlive.Pings}  pongs {connections.Sum(c => c.PingResponses)}  {meter.Interval()}"));
        }

        var reading = meter.Read();
        var connectedAtEnd = connections.Count(c => c.IsOpen);
        rssAfterConnect ??= reading.BrokerRssKib;
        await run.CancelAsync();
        await keepAliveTask;
        await RunContext.DisconnectAllAsync(connections, loops);
        try
        {
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        RunContext.ReportEarlyCloses(connections);
        double? perConnection = rssAfterConnect is long after && context.BrokerRssBeforeKib is long before
            ? Math.Round((after - before) * 1024.0 / k, 1)
            : null;
        if (perConnection is double bytes)
        {
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"broker RSS {context.BrokerRssBeforeKib / 1024.0:F1} MiB before, {rssAfterConnect / 1024.0:F1} MiB after connecting: {bytes:N0} B per connection"));
        }

        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        return BenchResults.ForConnections(BenchScenario.Idle, o, reading, k, connectedAtEnd, setupSeconds, connectLatency, connectErrors: null, context.BrokerRssBeforeKib, perConnection);
    }
}
