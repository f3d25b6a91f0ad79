using System.Net.Sockets;
using System.Text;

namespace Manta.Server.Tests.Support;

/// <summary>A bare TCP connection to the server for bytes no well-behaved client sends.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _buffer = [];

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawClient> ConnectAsync(MantaServer server)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await tcp.ConnectAsync(server.Host, server.Port, cts.Token);
        return new RawClient(tcp);
    }

    public async Task SendAsync(params byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>Reads one whole MQTT packet: (first byte, body). Null when the server closed the connection first.</summary>
    public async Task<(byte Header, byte[] Body)?> ReadPacketAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Expect);
        try
        {
            while (true)
            {
                if (TryCut(out var packet))
                {
                    return packet;
                }

                var chunk = new byte[4096];
                var read = await _stream.ReadAsync(chunk, cts.Token);
                if (read == 0)
                {
                    return null;
                }

                _buffer.AddRange(chunk.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
            return null; // reset by the server: closed
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"raw client: neither a packet nor a close within {(timeout ?? Timeouts.Expect).TotalSeconds:0.#}s");
        }
    }

    /// <summary>True when the server closes the connection (EOF or reset) within <paramref name="timeout"/>; packets before the close are returned in <paramref name="before"/>.</summary>
    public async Task<bool> WaitForCloseAsync(List<(byte Header, byte[] Body)> before, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (DateTime.UtcNow < deadline)
        {
            (byte, byte[])? packet;
            try
            {
                packet = await ReadPacketAsync(deadline - DateTime.UtcNow);
            }
            catch (Xunit.Sdk.XunitException)
            {
                return false;
            }

            if (packet is null)
            {
                return true;
            }

            before.Add(packet.Value);
        }

        return false;
    }

    private bool TryCut(out (byte, byte[]) packet)
    {
        packet = default;
        if (_buffer.Count < 2)
        {
            return false;
        }

        var length = 0;
        var multiplier = 1;
        var index = 1;
        while (true)
        {
            if (index >= _buffer.Count)
            {
                return false;
            }

            var b = _buffer[index++];
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (_buffer.Count < index + length)
        {
            return false;
        }

        packet = (_buffer[0], _buffer.GetRange(index, length).ToArray());
        _buffer.RemoveRange(0, index + length);
        return true;
    }

    /// <summary>Closes the socket without DISCONNECT (an abrupt drop from the server's point of view).</summary>
    public void Drop()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0); // RST, as a crashed device would
        _tcp.Close();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- packet builders ----

    public static byte[] Packet(byte header, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        return [header, .. RemainingLength(body.Length), .. body];
    }

    public static byte[] RemainingLength(int length)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            if (length > 0)
            {
                digit |= 0x80;
            }

            bytes.Add(digit);
        }
        while (length > 0);
        return [.. bytes];
    }

    public static byte[] Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        return [(byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8];
    }

    /// <summary>A CONNECT for protocol level 4 (3.1.1) or 5 (any other level is written as 3.1.1's layout), clean session unless told, optionally with a QoS 0 will.</summary>
    public static byte[] Connect(byte level, string clientId, ushort keepAlive = 30, string? willTopic = null, string? willPayload = null, bool cleanSession = true)
    {
        byte flags = cleanSession ? (byte)0x02 : (byte)0x00; // clean session / clean start
        if (willTopic is not null)
        {
            flags |= 0x04;
        }

        var variable = new List<byte>();
        variable.AddRange(Str("MQTT"));
        variable.Add(level);
        variable.Add(flags);
        variable.Add((byte)(keepAlive >> 8));
        variable.Add((byte)keepAlive);
        if (level == 5)
        {
            variable.Add(0); // no properties
        }

        var payload = new List<byte>(Str(clientId));
        if (willTopic is not null)
        {
            if (level == 5)
            {
                payload.Add(0); // no will properties
            }

            payload.AddRange(Str(willTopic));
            payload.AddRange(Str(willPayload ?? string.Empty));
        }

        return Packet(0x10, [.. variable], [.. payload]);
    }

    /// <summary>Sends CONNECT and asserts a successful CONNACK.</summary>
    public async Task ConnectMqttAsync(byte level, string clientId, string? willTopic = null, string? willPayload = null)
    {
        await SendAsync(Connect(level, clientId, willTopic: willTopic, willPayload: willPayload));
        var connAck = await ReadPacketAsync();
        Assert.NotNull(connAck);
        Assert.Equal(0x20, connAck.Value.Header);
        Assert.Equal(0, connAck.Value.Body[1]); // return / reason code
    }
}
