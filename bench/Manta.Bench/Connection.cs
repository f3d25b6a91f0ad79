using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>
/// One MQTT client connection over a raw socket: the handshake, a receive loop that frames
/// packets minimally (fixed header and remaining length only), and a send helper.
/// </summary>
/// <remarks>
/// Threading: the receive loop is the only reader; subclasses decide who writes (a publisher
/// at QoS 0 writes from its own send loop, at QoS 1 only from the receive loop after the first
/// window; a subscriber only from its receive loop). The receive buffer is rented once and
/// grows only when a single packet is larger than it, so steady state allocates nothing.
/// Many connections share the thread pool's few threads: every wait is an async socket call.
/// </remarks>
internal abstract class Connection : IDisposable
{
    /// <summary>Receive buffer size: about sixteen 4 KiB socket reads, enough to batch hundreds of small packets per parse pass.</summary>
    private const int InitialReceiveBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private byte[] _receive;
    private int _received;

    protected Connection()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _receive = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferSize);
    }

    /// <summary>Bytes the receive buffer holds now; subclasses size their reply buffers from it.</summary>
    protected int ReceiveBufferLength => _receive.Length;

    /// <summary>Connects the socket, sends the pre-encoded CONNECT and waits for a CONNACK that accepts it.</summary>
    public async Task ConnectAsync(EndPoint broker, ReadOnlyMemory<byte> connect, CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(broker, cancellationToken);
        await SendAsync(connect, cancellationToken);
        var (header, body) = await ReadHandshakePacketAsync(cancellationToken);
        // CONNACK (3.1.1): 0x20, remaining length 2, acknowledge flags, return code.
        if (header >> 4 != 2 || body.Length < 2 || body[1] != 0)
        {
            throw new InvalidOperationException($"CONNECT refused: packet type {header >> 4}, return code {(body.Length >= 2 ? body[1] : -1)}");
        }
    }

    /// <summary>Sends the pre-encoded SUBSCRIBE and waits for a SUBACK that grants every filter.</summary>
    public async Task SubscribeAsync(ReadOnlyMemory<byte> subscribe, CancellationToken cancellationToken)
    {
        await SendAsync(subscribe, cancellationToken);
        var (header, body) = await ReadHandshakePacketAsync(cancellationToken);
        // SUBACK (3.1.1): 0x90, packet id (2), one return code per filter; 0x80 is a refusal.
        if (header >> 4 != 9 || body.Length < 3 || body[2] == 0x80)
        {
            throw new InvalidOperationException($"SUBSCRIBE refused: packet type {header >> 4}");
        }
    }

    /// <summary>Receives and frames packets until the broker closes the connection or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (_received == _receive.Length)
                {
                    Grow(_receive.Length * 2);
                }

                var n = await _socket.ReceiveAsync(_receive.AsMemory(_received), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
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
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Writes all of <paramref name="data"/> to the socket.</summary>
    protected async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[n..];
        }
    }

    /// <summary>Called once per socket read before its packets are handed over; returns the timestamp they share.</summary>
    protected virtual long OnFramesStarting() => 0;

    /// <summary>Handles one complete packet: its fixed header byte and its body (the remaining-length bytes).</summary>
    protected abstract void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp);

    /// <summary>Called after every packet of one socket read was handled: the place to flush batched replies.</summary>
    protected virtual ValueTask OnFramesParsedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }
    }

    /// <summary>Closes the socket; a pending receive ends with an exception the loop swallows.</summary>
    public void Close() => _socket.Dispose();

    private void ParseAvailable(long timestamp)
    {
        var offset = 0;
        while (TryFrame(_receive.AsSpan(offset, _received - offset), out var header, out var bodyStart, out var bodyLength))
        {
            OnFrame(header, _receive.AsSpan(offset + bodyStart, bodyLength), timestamp);
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
                return (header, body);
            }

            if (_received == _receive.Length)
            {
                Grow(_receive.Length * 2);
            }

            var n = await _socket.ReceiveAsync(_receive.AsMemory(_received), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new InvalidOperationException("The broker closed the connection during the handshake.");
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
                throw new InvalidOperationException("Malformed remaining length from the broker.");
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

    /// <summary>Called when the receive buffer grew, so reply buffers sized from it can follow.</summary>
    protected virtual void OnReceiveBufferGrown(int newLength)
    {
    }
}
