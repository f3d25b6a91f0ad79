using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>
/// The connect scenario: --parallel workers each open a connection, send CONNECT, wait for
/// CONNACK, send DISCONNECT, wait for the broker to close and close, again and again, for the
/// duration or until --connections are done. Reports connects per second and the latency
/// from starting the TCP connect to the CONNACK.
/// </summary>
/// <remarks>
/// The broker closes first (MQTT requires it after DISCONNECT), so the TIME_WAIT stays on its
/// side and the tool's ephemeral ports are free again at once. Per connect the tool allocates
/// only the socket: each worker patches the client id digits of its one CONNECT packet and
/// reuses its buffer, its latency histogram and its timeout source.
/// </remarks>
internal sealed class ConnectStorm(RunContext context)
{
    /// <summary>Longest wait for one TCP connect plus CONNACK.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the broker to close after DISCONNECT (MQTT requires it to); then the tool closes.</summary>
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(1);

    private readonly BenchOptions _o = context.Options;
    private long _started;
    private long _completed;
    private long _errors;
    private long _closeTimeouts;
    private string? _firstError;

    public async Task<BenchResults> RunAsync()
    {
        var limit = _o.Connections ?? 0;
        await Console.Error.WriteLineAsync(
            $"connect MQTT {_o.ProtocolName}: {_o.Parallel} at once, {(limit > 0 ? $"{limit} connections or " : string.Empty)}{_o.DurationSeconds} s, {context.SourceDescription}");

        // A probe first, so an unreachable or refusing broker is a setup failure, not a storm of errors.
        using (var probe = new WorkerState(context.Ids.Patchable('c'), _o))
        {
            if (await ConnectOnceAsync(probe, 0, new LatencyRecorder()) is { } refused)
            {
                throw new BenchSetupException($"cannot connect to {context.Broker}: {refused}");
            }
        }

        _completed = 0;

        var recorders = new LatencyRecorder[_o.Parallel];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        using var meter = new ResourceMeter(_o.BrokerPid);
        meter.Start();
        var workers = new Task[_o.Parallel];
        for (var w = 0; w < workers.Length; w++)
        {
            var recorder = recorders[w] = new LatencyRecorder();
            workers[w] = Task.Run(() => WorkAsync(recorder, limit, stop.Token), CancellationToken.None);
        }

        var all = Task.WhenAll(workers);
        // The progress loop ends at the duration, on Ctrl-C, or as soon as --connections are done.
        using var allDone = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        _ = all.ContinueWith(_ => allDone.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var duration = TimeSpan.FromSeconds(_o.DurationSeconds);
        long last = 0;
        var lastTick = TimeSpan.Zero;
        while (await meter.WaitForNextSecondAsync(duration, allDone.Token))
        {
            var now = meter.Elapsed;
            var completed = Volatile.Read(ref _completed);
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"[{now.TotalSeconds,4:F0}s] connects {(completed - last) / Math.Max(1e-3, (now - lastTick).TotalSeconds),8:N0}/s  total {completed}  errors {Volatile.Read(ref _errors)}  {meter.Interval()}"));
            (last, lastTick) = (completed, now);
        }

        // Connects in progress finish; none start.
        await stop.CancelAsync();
        await all;
        var reading = meter.Read();
        var latency = new LatencyRecorder();
        foreach (var r in recorders)
        {
            latency.Add(r);
        }

        var done = Volatile.Read(ref _completed);
        if (_errors > 0)
        {
            await Console.Error.WriteLineAsync($"{_errors} connect(s) failed, the first: {_firstError}");
        }

        if (_closeTimeouts > 0)
        {
            await Console.Error.WriteLineAsync($"{_closeTimeouts} time(s) the broker did not close within {CloseWait.TotalSeconds:F0} s of DISCONNECT");
        }

        if (done == 0)
        {
            throw new BenchSetupException($"no connect completed: {_firstError}");
        }

        var seconds = reading.Seconds;
        return BenchResults.ForConnections(BenchScenario.Connect, _o, reading, (int)Math.Min(int.MaxValue, done), connectedAtEnd: null, seconds, latency, Volatile.Read(ref _errors), context.BrokerRssBeforeKib, brokerRssPerConnectionBytes: null);
    }

    private async Task WorkAsync(LatencyRecorder recorder, long limit, CancellationToken stop)
    {
        using var state = new WorkerState(context.Ids.Patchable('c'), _o);
        while (!stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _started);
            if (limit > 0 && n > limit)
            {
                return;
            }

            if (await ConnectOnceAsync(state, n, recorder) is { } error)
            {
                if (Interlocked.Increment(ref _errors) == 1)
                {
                    Volatile.Write(ref _firstError, error);
                }
            }
        }
    }

    /// <summary>One connect; returns null on success (recorded), else what went wrong.</summary>
    private async Task<string?> ConnectOnceAsync(WorkerState state, long n, LatencyRecorder recorder)
    {
        var connect = state.Connect;
        var buffer = state.Buffer;
        ClientIds.Patch(connect.AsSpan(connect.Length - ClientIds.PatchableDigits), n);
        var timeout = state.Timeout;
        timeout.CancelAfter(AttemptTimeout);
        var connected = false;
        try
        {
            using var socket = new Socket(context.Broker.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (context.SourceFor(n) is { } source)
            {
                SourceBinding.Bind(socket, source);
            }

            var start = Stopwatch.GetTimestamp();
            await socket.ConnectAsync(context.Broker, timeout.Token);
            await SendAllAsync(socket, connect, timeout.Token);
            var received = 0;
            int bodyStart, bodyLength;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    return "the broker closed the connection before CONNACK";
                }

                received += read;
                // CONNACK: 0x20, remaining length (variable byte integer), body.
                if (received >= 2 && Wire.TryReadVariableInt(buffer.AsSpan(1, received - 1), out bodyLength, out var size))
                {
                    bodyStart = 1 + size;
                    if (bodyStart + bodyLength > buffer.Length)
                    {
                        return "oversized CONNACK";
                    }

                    if (received >= bodyStart + bodyLength)
                    {
                        break;
                    }
                }
            }

            var limits = ServerLimits.Defaults;
            if (Wire.CheckConnAck(buffer[0], buffer.AsSpan(bodyStart, bodyLength), _o.Protocol, ref limits) is { } refused)
            {
                return refused;
            }

            recorder.RecordTicks(Stopwatch.GetTimestamp() - start);
            connected = true;
            Interlocked.Increment(ref _completed);
            // DISCONNECT, then wait for the broker's FIN before closing: closing (or even
            // half-closing) first would put this side in TIME_WAIT and use up ephemeral ports.
            await SendAllAsync(socket, PacketTemplates.Disconnect, timeout.Token);
            timeout.CancelAfter(CloseWait);
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return null;
        }
        catch (OperationCanceledException)
        {
            if (connected)
            {
                // The broker did not close after DISCONNECT: the tool closes instead.
                Interlocked.Increment(ref _closeTimeouts);
                return null;
            }

            return string.Create(CultureInfo.InvariantCulture, $"no CONNACK within {AttemptTimeout.TotalSeconds:F0} s");
        }
        catch (SocketException ex)
        {
            // A reset after our DISCONNECT still counts as a completed connect.
            return connected ? null : $"{ex.SocketErrorCode} ({ex.Message})";
        }
        finally
        {
            if (!timeout.TryReset())
            {
                state.RenewTimeout();
            }
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None, cancellationToken)..];
        }
    }

    /// <summary>What one worker reuses across its connects: the CONNECT packet (client id digits patched per connect), the receive buffer and the timeout source (reset after each attempt).</summary>
    private sealed class WorkerState(string clientId, BenchOptions o) : IDisposable
    {
        /// <summary>Receive buffer: a CONNACK with a reason string still fits.</summary>
        public byte[] Buffer { get; } = new byte[1024];

        public byte[] Connect { get; } = PacketTemplates.Connect(clientId, o.Protocol, o.KeepAliveSeconds);

        public CancellationTokenSource Timeout { get; private set; } = new();

        /// <summary>Replaces a timeout source that fired (it cannot be reset).</summary>
        public void RenewTimeout()
        {
            Timeout.Dispose();
            Timeout = new CancellationTokenSource();
        }

        public void Dispose() => Timeout.Dispose();
    }
}
