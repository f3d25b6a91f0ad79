using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Durability;

/// <summary>One MQTT packet as read from the wire: the fixed header's first byte and the body.</summary>
internal readonly record struct WirePacket(byte Header, byte[] Body)
{
    public const int ConnAck = 2;
    public const int Publish = 3;
    public const int PubAck = 4;
    public const int PubRec = 5;
    public const int PubRel = 6;
    public const int PubComp = 7;
    public const int SubAck = 9;

    /// <summary>The packet type (the high nibble of the first byte).</summary>
    public int Type => Header >> 4;

    /// <summary>The packet id of an acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK): the first two body bytes.</summary>
    public ushort PacketId => BinaryPrimitives.ReadUInt16BigEndian(Body);

    /// <summary>The reason code of a 5.0 acknowledgement: 0 (success) when the short form leaves it out.</summary>
    public byte AckReasonCode => Body.Length > 2 ? Body[2] : (byte)0;

    public override string ToString() => $"type {Type} (0x{Header:X2}), {Body.Length} body bytes{(Body.Length >= 2 && Type is >= 4 and <= 7 ? $", id {PacketId}" : string.Empty)}";
}

/// <summary>A PUBLISH as the client received it.</summary>
internal sealed record WirePublish(string Topic, int QoS, bool Dup, bool Retain, ushort PacketId, byte[] Payload)
{
    public string PayloadText => Encoding.UTF8.GetString(Payload);
}

/// <summary>
/// A raw MQTT 3.1.1 / 5.0 client over a socket, for what MQTTnet decides for us: which packet id
/// is used, whether DUP is set, and when (or whether) PUBACK, PUBREC, PUBREL and PUBCOMP are
/// sent. A background loop frames packets into an inbox, so waiting with a timeout never
/// cancels a socket read. 5.0 packets carry no properties except Session Expiry Interval in CONNECT.
/// </summary>
internal sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<WirePacket> _inbox = Channel.CreateUnbounded<WirePacket>();
    private readonly Task _reader;
    private byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private WireClient(TcpClient tcp, byte level)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Level = level;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Protocol level: 4 (3.1.1) or 5.</summary>
    public byte Level { get; }

    /// <summary>Opens the TCP connection; nothing is sent yet.</summary>
    public static async Task<WireClient> OpenAsync(string host, int port, byte level)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await tcp.ConnectAsync(host, port, cts.Token);
        return new WireClient(tcp, level);
    }

    /// <summary>Opens a connection and completes CONNECT / CONNACK (asserting success); returns the CONNACK's session present flag.</summary>
    public static async Task<(WireClient Client, bool SessionPresent)> ConnectAsync(string host, int port, byte level, string clientId, bool cleanStart, uint sessionExpiry = 0)
    {
        var client = await OpenAsync(host, port, level);
        try
        {
            await client.SendAsync(Connect(level, clientId, cleanStart, sessionExpiry));
            var connAck = await client.NextAsync();
            Assert.True(connAck.Type == WirePacket.ConnAck, $"expected CONNACK, got {connAck}");
            Assert.True(connAck.Body[1] == 0, $"CONNACK refused the connection: code 0x{connAck.Body[1]:X2}");
            return (client, (connAck.Body[0] & 0x01) != 0);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>SUBSCRIBE to one filter; asserts the SUBACK grants <paramref name="qos"/>.</summary>
    public async Task SubscribeAsync(string filter, int qos, ushort packetId = 1)
    {
        byte[] properties = Level == 5 ? [0] : [];
        await SendAsync(RawClient.Packet(0x82, Id(packetId), properties, RawClient.Str(filter), [(byte)qos]));
        var subAck = await NextAsync();
        Assert.True(subAck.Type == WirePacket.SubAck && subAck.PacketId == packetId, $"expected SUBACK {packetId}, got {subAck}");
        var offset = 2;
        if (Level == 5)
        {
            var (length, size) = ReadVariableByteInteger(subAck.Body, offset);
            offset += size + length;
        }

        Assert.True(subAck.Body[offset] == qos, $"SUBACK granted 0x{subAck.Body[offset]:X2}, not QoS {qos}");
    }

    public async Task SendAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>PUBLISH (no properties in 5.0).</summary>
    public Task PublishAsync(string topic, string payload, int qos, ushort packetId, bool dup = false, bool retain = false)
    {
        var header = (byte)(0x30 | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0));
        byte[] id = qos > 0 ? Id(packetId) : [];
        byte[] properties = Level == 5 ? [0] : [];
        return SendAsync(RawClient.Packet(header, RawClient.Str(topic), id, properties, Encoding.UTF8.GetBytes(payload)));
    }

    public Task PubAckAsync(ushort packetId) => SendAsync(Ack(0x40, packetId));

    public Task PubRecAsync(ushort packetId) => SendAsync(Ack(0x50, packetId));

    public Task PubRelAsync(ushort packetId) => SendAsync(Ack(0x62, packetId));

    public Task PubCompAsync(ushort packetId) => SendAsync(Ack(0x70, packetId));

    /// <summary>DISCONNECT (normal).</summary>
    public Task DisconnectAsync() => SendAsync([0xE0, 0x00]);

    /// <summary>The next packet; fails the test when none comes within <paramref name="timeout"/> or the server closed the connection.</summary>
    public async Task<WirePacket> NextAsync(TimeSpan? timeout = null)
    {
        var wait = timeout ?? Timeouts.Expect;
        return await NextOrNullAsync(wait) ?? throw new Xunit.Sdk.XunitException($"raw client: no packet within {wait.TotalSeconds:0.#}s");
    }

    /// <summary>The next packet, or null when none comes within <paramref name="window"/>; throws <see cref="WireClosedException"/> when the server closed the connection.</summary>
    public async Task<WirePacket?> NextOrNullAsync(TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            if (await _inbox.Reader.WaitToReadAsync(cts.Token) && _inbox.Reader.TryRead(out var packet))
            {
                return packet;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        throw new WireClosedException("raw client: the server closed the connection");
    }

    /// <summary>The next packet, which must be a PUBLISH.</summary>
    public async Task<WirePublish> NextPublishAsync(TimeSpan? timeout = null)
    {
        var packet = await NextAsync(timeout);
        Assert.True(packet.Type == WirePacket.Publish, $"expected PUBLISH, got {packet}");
        return ParsePublish(packet);
    }

    /// <summary>Decodes a PUBLISH: topic, packet id (QoS 1, 2), 5.0 properties (skipped), payload.</summary>
    public WirePublish ParsePublish(WirePacket packet)
    {
        var body = packet.Body;
        var qos = (packet.Header >> 1) & 0x03;
        var topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        var topic = Encoding.UTF8.GetString(body, 2, topicLength);
        var offset = 2 + topicLength;
        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(offset));
            offset += 2;
        }

        if (Level == 5)
        {
            var (length, size) = ReadVariableByteInteger(body, offset);
            offset += size + length;
        }

        return new WirePublish(topic, qos, (packet.Header & 0x08) != 0, (packet.Header & 0x01) != 0, packetId, body[offset..]);
    }

    /// <summary>
    /// CONNECT with a client id and nothing else but, in 5.0 with a non-zero
    /// <paramref name="sessionExpiry"/>, the Session Expiry Interval property (0x11).
    /// </summary>
    public static byte[] Connect(byte level, string clientId, bool cleanStart, uint sessionExpiry = 0, ushort keepAlive = 60)
    {
        var variable = new List<byte>(RawClient.Str("MQTT")) { level, cleanStart ? (byte)0x02 : (byte)0x00, (byte)(keepAlive >> 8), (byte)keepAlive };
        if (level == 5)
        {
            if (sessionExpiry == 0)
            {
                variable.Add(0);
            }
            else
            {
                variable.AddRange([5, 0x11, (byte)(sessionExpiry >> 24), (byte)(sessionExpiry >> 16), (byte)(sessionExpiry >> 8), (byte)sessionExpiry]);
            }
        }

        return RawClient.Packet(0x10, [.. variable], RawClient.Str(clientId));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
    }

    private static byte[] Id(ushort packetId) => [(byte)(packetId >> 8), (byte)packetId];

    private static byte[] Ack(byte firstByte, ushort packetId) => [firstByte, 2, (byte)(packetId >> 8), (byte)packetId];

    private static (int Value, int Size) ReadVariableByteInteger(byte[] data, int offset)
    {
        var value = 0;
        var shift = 0;
        var size = 0;
        while (true)
        {
            var b = data[offset + size++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (value, size);
            }

            shift += 7;
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                if (_buffered == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var read = await _stream.ReadAsync(_buffer.AsMemory(_buffered));
                if (read == 0)
                {
                    return;
                }

                _buffered += read;
                while (TryCut(out var packet))
                {
                    _inbox.Writer.TryWrite(packet);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or SocketException)
        {
            // Reset by the server (killed) or disposed here: the connection is over.
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }

    // Fixed header: the first byte, then the remaining length as 1-4 bytes of 7 bits, least significant first.
    private bool TryCut(out WirePacket packet)
    {
        packet = default;
        var length = 0;
        var shift = 0;
        var index = 1;
        while (true)
        {
            if (index >= _buffered)
            {
                return false;
            }

            var b = _buffer[index++];
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
        }

        if (_buffered < index + length)
        {
            return false;
        }

        packet = new WirePacket(_buffer[0], _buffer.AsSpan(index, length).ToArray());
        var consumed = index + length;
        Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _buffered - consumed);
        _buffered -= consumed;
        return true;
    }
}

/// <summary>The server closed a <see cref="WireClient"/>'s connection (or it was disposed) before the packet waited for.</summary>
internal sealed class WireClosedException : Exception
{
    public WireClosedException()
    {
    }

    public WireClosedException(string message)
        : base(message)
    {
    }

    public WireClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
