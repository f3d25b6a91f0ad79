using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Manta.Bench;

/// <summary>
/// One MQTT client connection over a raw socket: the handshake, a receive loop that frames
/// packets minimally (fixed header and remaining length only), a send lock and keep-alive.
/// </summary>
/// <remarks>
/// Threading: the receive loop is the only reader. Writers (a publisher's send loop or pacer,
/// any receive loop that answers packets, the shared keep-alive tick) take the send lock, so
/// packets never interleave on the wire; uncontended it costs a few nanoseconds and no
/// allocation, and the keep-alive tick only ever tries it (<see cref="PingIfIdleAsync"/>).
/// Buffers: the receive buffer is rented once and grows only when a single packet is larger
/// than it, so steady state allocates nothing. Many connections share the thread pool's few
/// threads: every wait is an async socket call.
/// </remarks>
internal abstract class Connection : IDisposable
{
    /// <summary>Receive buffer of a busy connection: about sixteen 4 KiB socket reads, enough to batch hundreds of small packets per parse pass.</summary>
    public const int BusyReceiveBufferSize = 64 * 1024;

    /// <summary>Receive buffer of an idle connection: a PINGRESP is 2 bytes; 256 keeps 20,000 connections at 5 MiB.</summary>
    public const int IdleReceiveBufferSize = 256;

    /// <summary>
    /// Socket reads in a row that may complete without waiting before the loop yields to the
    /// thread pool. Completions run inline on the epoll threads (see Program.cs); a connection
    /// whose data never runs out would otherwise keep one of them from every other socket.
    /// </summary>
    private const int MaxSynchronousReads = 16;

    private readonly Socket _socket;
    private readonly IPEndPoint _broker;
    private readonly IPAddress? _source;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _receive;
    private int _received;
    private long _lastWriteMs;
    private long _pingResponses;
    private int _open;
    private volatile bool _closing;
    private string? _closeReason;

    protected Connection(string name, MqttVersion version, IPEndPoint broker, IPAddress? source, int receiveBufferSize)
    {
        Name = name;
        Version = version;
        _broker = broker;
        _source = source;
        _socket = new Socket(broker.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _receive = ArrayPool<byte>.Shared.Rent(receiveBufferSize);
    }

    /// <summary>A short name for messages: the client id.</summary>
    public string Name { get; }

    public MqttVersion Version { get; }

    /// <summary>Between an accepted CONNACK and the end of the receive loop.</summary>
    public bool IsOpen => Volatile.Read(ref _open) == 1;

    /// <summary>Why the connection ended before the tool closed it (the broker's DISCONNECT, a reset, ...); null otherwise.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>The keep-alive in force: the one sent in CONNECT, or the broker's Server Keep Alive (5.0).</summary>
    public int KeepAliveSeconds { get; private set; }

    /// <summary>What the CONNACK said about the broker's limits (defaults for 3.1.1).</summary>
    public ServerLimits Limits { get; private set; } = ServerLimits.Defaults;

    /// <summary>PINGRESP packets received.</summary>
    public long PingResponses => Volatile.Read(ref _pingResponses);

    /// <summary>Binds the source address (when one was given), connects, sends the pre-encoded CONNECT and waits for a CONNACK that accepts it.</summary>
    /// <exception cref="BenchSetupException">The broker refused the connection.</exception>
    public async Task ConnectAsync(ReadOnlyMemory<byte> connect, ushort keepAliveSeconds, CancellationToken cancellationToken)
    {
        if (_source is not null)
        {
            SourceBinding.Bind(_socket, _source);
        }

        await _socket.ConnectAsync(_broker, cancellationToken);
        await WriteAsync(connect, cancellationToken);
        var (header, body) = await ReadHandshakePacketAsync(cancellationToken);
        var limits = ServerLimits.Defaults;
        if (Wire.CheckConnAck(header, body, Version, ref limits) is { } refused)
        {
            throw new BenchSetupException($"{Name}: {refused}");
        }

        Limits = limits;
        KeepAliveSeconds = limits.ServerKeepAlive ?? keepAliveSeconds;
        Volatile.Write(ref _open, 1);
    }

    /// <summary>Sends the pre-encoded SUBSCRIBE and waits for its SUBACK; returns the granted QoS.</summary>
    /// <exception cref="BenchSetupException">The broker refused the subscription.</exception>
    public async Task<int> SubscribeAsync(ReadOnlyMemory<byte> subscribe, CancellationToken cancellationToken)
    {
        // Under the send lock: the keep-alive tick may ping this connection by now.
        await SendAsync(subscribe, cancellationToken);
        var (header, body) = await ReadHandshakePacketAsync(cancellationToken);
        if (Wire.CheckSubAck(header, body, Version, out var granted) is { } refused)
        {
            throw new BenchSetupException($"{Name}: {refused}");
        }

        return granted;
    }

    /// <summary>Receives and frames packets until the broker closes the connection, the tool closes it or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunReceiveLoopAsync(CancellationToken cancellationToken)
    {
        string? reason = null;
        var synchronousReads = 0;
        try
        {
            // Bytes the handshake read beyond its reply come first.
            if (_received > 0)
            {
                ParseAvailable(OnFramesStarting());
                await OnFramesParsedAsync(cancellationToken);
            }

            while (true)
            {
                if (_received == _receive.Length)
                {
                    Grow(_receive.Length * 2);
                }

                var receive = _socket.ReceiveAsync(_receive.AsMemory(_received), SocketFlags.None, cancellationToken);
                if (!receive.IsCompleted)
                {
                    synchronousReads = 0;
                }
                else if (++synchronousReads == MaxSynchronousReads)
                {
                    synchronousReads = 0;
                    await Task.Yield();
                }

                var n = await receive;
                if (n == 0)
                {
                    reason = "closed by the broker";
                    return;
                }

                _received += n;
                ParseAvailable(OnFramesStarting());
                await OnFramesParsedAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException ex)
        {
            reason = $"socket error: {ex.SocketErrorCode}";
        }
        catch (Exception ex)
        {
            reason = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            Volatile.Write(ref _open, 0);
            if (!_closing && reason is not null)
            {
                Interlocked.CompareExchange(ref _closeReason, reason, null);
            }
        }
    }

    /// <summary>
    /// Sends a PINGREQ when nothing was written for half the keep-alive and no write is in
    /// progress (a write in progress means the connection is not idle). Called by the shared
    /// keep-alive tick; returns whether it pinged. Half the keep-alive leaves the broker's 1.5x
    /// grace untouched even when a tick comes late.
    /// </summary>
    public ValueTask<bool> PingIfIdleAsync(long nowMs, CancellationToken cancellationToken)
    {
        if (KeepAliveSeconds == 0 || !IsOpen || _closing || nowMs - Volatile.Read(ref _lastWriteMs) < KeepAliveSeconds * 500L || !TryAcquireSend())
        {
            return new ValueTask<bool>(false);
        }

        return PingLockedAsync(cancellationToken);
    }

    /// <summary>
    /// Sends DISCONNECT (when no write is in progress). The broker then closes the connection
    /// first, as MQTT asks of it, so its side keeps the TIME_WAIT (closing or half-closing here
    /// first would leave it on the tool's side and use up ephemeral ports). The receive loop
    /// then ends; <see cref="Close"/> releases the socket.
    /// </summary>
    public async Task SendDisconnectAsync(CancellationToken cancellationToken)
    {
        _closing = true;
        if (!IsOpen || !TryAcquireSend())
        {
            return;
        }

        try
        {
            await WriteAsync(PacketTemplates.Disconnect, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes the socket; a pending receive ends with an exception the loop swallows.</summary>
    public void Close()
    {
        _closing = true;
        _socket.Dispose();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _closing = true;
            _socket.Dispose();
            _sendLock.Dispose();
        }
    }

    /// <summary>Bytes the receive buffer holds now; subclasses size their reply buffers from it.</summary>
    protected int ReceiveBufferLength => _receive.Length;

    /// <summary>Takes the send lock; uncontended it completes synchronously without allocating.</summary>
    protected Task AcquireSendAsync(CancellationToken cancellationToken) => _sendLock.WaitAsync(cancellationToken);

    protected void ReleaseSend() => _sendLock.Release();

    /// <summary>Takes the send lock only if it is free at once.</summary>
    private bool TryAcquireSend() => _sendLock.Wait(0, CancellationToken.None);

    /// <summary>Writes all of <paramref name="data"/>; the caller holds the send lock (or nobody else can write yet).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[n..];
        }

        Volatile.Write(ref _lastWriteMs, Environment.TickCount64);
    }

    /// <summary>Takes the send lock, writes all of <paramref name="data"/>, releases the lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await WriteAsync(data, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Called once per socket read before its packets are handed over; returns the timestamp they share.</summary>
    protected virtual long OnFramesStarting() => 0;

    /// <summary>Handles one complete packet other than PINGRESP and DISCONNECT: its fixed header byte and its body (the remaining-length bytes).</summary>
    protected abstract void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp);

    /// <summary>Called after every packet of one socket read was handled: the place to send batched replies.</summary>
    protected virtual ValueTask OnFramesParsedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called when the receive buffer grew, so reply buffers sized from it can follow.</summary>
    protected virtual void OnReceiveBufferGrown(int newLength)
    {
    }

    private async ValueTask<bool> PingLockedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(PacketTemplates.PingReq, cancellationToken);
            return true;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private void ParseAvailable(long timestamp)
    {
        var offset = 0;
        while (TryFrame(_receive.AsSpan(offset, _received - offset), out var header, out var bodyStart, out var bodyLength))
        {
            var body = _receive.AsSpan(offset + bodyStart, bodyLength);
            switch (header >> 4)
            {
                case PacketType.PingResp:
                    Volatile.Write(ref _pingResponses, _pingResponses + 1);
                    break;
                case PacketType.Disconnect:
                    Interlocked.CompareExchange(ref _closeReason, Wire.DescribeDisconnect(body), null);
                    break;
                default:
                    OnFrame(header, body, timestamp);
                    break;
            }

            offset += bodyStart + bodyLength;
        }

        Compact(offset);
    }

    private async Task<(byte Header, byte[] Body)> ReadHandshakePacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryFrame(_receive.AsSpan(0, _received), out var header, out var bodyStart, out var bodyLength))
            {
                var body = _receive.AsSpan(bodyStart, bodyLength).ToArray();
                Compact(bodyStart + bodyLength);
                if (header >> 4 == PacketType.PingResp)
                {
                    continue;
                }

                return (header, body);
            }

            if (_received == _receive.Length)
            {
                Grow(_receive.Length * 2);
            }

            var n = await _socket.ReceiveAsync(_receive.AsMemory(_received), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new BenchSetupException($"{Name}: the broker closed the connection during the handshake");
            }

            _received += n;
        }
    }

    // Fixed header: byte 0 = type (4 bits) | flags (4 bits); then the remaining length as a
    // variable byte integer of 1-4 bytes, 7 bits each, least significant group first.
    private static bool TryFrame(ReadOnlySpan<byte> data, out byte header, out int bodyStart, out int bodyLength)
    {
        header = 0;
        bodyStart = 0;
        bodyLength = 0;
        if (data.Length < 2)
        {
            return false;
        }

        var length = 0;
        var shift = 0;
        var i = 1;
        while (true)
        {
            if (i >= data.Length)
            {
                return false;
            }

            var b = data[i++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
            if (shift > 21)
            {
                throw new InvalidDataException("Malformed remaining length from the broker.");
            }
        }

        if (data.Length - i < length)
        {
            return false;
        }

        header = data[0];
        bodyStart = i;
        bodyLength = length;
        return true;
    }

    private void Compact(int consumed)
    {
        var left = _received - consumed;
        if (consumed > 0 && left > 0)
        {
            Buffer.BlockCopy(_receive, consumed, _receive, 0, left);
        }

        _received = left;
    }

    private void Grow(int size)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        Buffer.BlockCopy(_receive, 0, bigger, 0, _received);
        ArrayPool<byte>.Shared.Return(_receive);
        _receive = bigger;
        OnReceiveBufferGrown(bigger.Length);
    }
}

/// <summary>A connection that only keeps alive: the idle scenario's.</summary>
internal sealed class IdleConnection(string name, MqttVersion version, IPEndPoint broker, IPAddress? source)
    : Connection(name, version, broker, source, IdleReceiveBufferSize)
{
    protected override void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
    }
}

/// <summary>Setup failed (the broker refused, timed out or is unreachable): exit code 1 with this message.</summary>
internal sealed class BenchSetupException : Exception
{
    public BenchSetupException()
    {
    }

    public BenchSetupException(string message)
        : base(message)
    {
    }

    public BenchSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
