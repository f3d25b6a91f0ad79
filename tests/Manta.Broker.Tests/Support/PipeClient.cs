using System.IO.Pipelines;
using System.Net;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Support;

/// <summary>
/// A raw MQTT client over in-memory pipes, speaking through the project's codec, so broker
/// behaviour is tested byte-exact without sockets (the real-client tests live in Manta.Server.Tests).
/// </summary>
public sealed class PipeClient : IAsyncDisposable
{
    private static int s_port = 40000;

    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Task _connection;

    public PipeClient(MqttBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        Version = version;
        var info = new ConnectionInfo(
            Guid.NewGuid().ToString("N"),
            new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref s_port)),
            new IPEndPoint(IPAddress.Loopback, 1883));
        _connection = broker.RunConnectionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), info, abort: null, CancellationToken.None);
    }

    public MqttProtocolVersion Version { get; set; }

    /// <summary>Completes when the broker has finished with the connection.</summary>
    public Task Connection => _connection;

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(5);

    public async Task SendAsync(MqttPacket packet)
    {
        MqttPacketEncoder.Encode(packet, Version, _toServer.Writer);
        await _toServer.Writer.FlushAsync();
    }

    public async Task SendRawAsync(params byte[] bytes)
    {
        await _toServer.Writer.WriteAsync(bytes);
    }

    /// <summary>Closes the client's sending side, as a client dropping its socket does.</summary>
    public async Task DropAsync() => await _toServer.Writer.CompleteAsync();

    public async Task<ConnAckPacket> ConnectAsync(string clientId, bool cleanStart = true, ushort keepAlive = 0, WillMessage? will = null, MqttProperties? properties = null, string? userName = null)
    {
        await SendAsync(new ConnectPacket
        {
            ProtocolName = Version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT",
            ProtocolVersion = Version,
            ClientId = clientId,
            CleanStart = cleanStart,
            KeepAliveSeconds = keepAlive,
            Will = will,
            Properties = properties,
            UserName = userName,
        });
        return await ReceiveAsync<ConnAckPacket>();
    }

    public async Task<SubAckPacket> SubscribeAsync(string filter, QualityOfService qos = QualityOfService.AtMostOnce, ushort packetId = 1, MqttProperties? properties = null)
    {
        await SendAsync(new SubscribePacket
        {
            PacketId = packetId,
            Subscriptions = [new TopicSubscription { TopicFilter = filter, MaximumQoS = qos }],
            Properties = properties,
        });
        return await ReceiveAsync<SubAckPacket>();
    }

    public Task PublishAsync(string topic, string payload, QualityOfService qos = QualityOfService.AtMostOnce, bool retain = false, ushort packetId = 0)
        => SendAsync(new PublishPacket
        {
            Topic = topic,
            Payload = System.Text.Encoding.UTF8.GetBytes(payload),
            QoS = qos,
            Retain = retain,
            PacketId = qos == QualityOfService.AtMostOnce ? (ushort)0 : packetId == 0 ? (ushort)1 : packetId,
        });

    public async Task<T> ReceiveAsync<T>(TimeSpan? timeout = null)
        where T : MqttPacket
    {
        var packet = await ReceiveAsync(timeout);
        return packet as T ?? throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {packet?.GetType().Name ?? "connection closed"}");
    }

    /// <summary>The next packet from the broker, or null when the broker closed the connection.</summary>
    public async Task<MqttPacket?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var reader = _toClient.Reader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no packet from the broker in time");
            }

            var buffer = result.Buffer;
            if (MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame))
            {
                var packet = MqttPacketDecoder.Decode(frame, Version == MqttProtocolVersion.Unknown ? MqttProtocolVersion.V311 : Version);
                reader.AdvanceTo(buffer.Start);
                return packet;
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Asserts nothing arrives within <paramref name="wait"/>.</summary>
    public async Task ExpectNothingAsync(TimeSpan? wait = null)
    {
        try
        {
            var packet = await ReceiveAsync(wait ?? TimeSpan.FromMilliseconds(200));
            throw new Xunit.Sdk.XunitException($"expected nothing, got {packet?.GetType().Name ?? "a close"}");
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>Waits for the broker to close the connection, skipping packets; returns the DISCONNECT if one came.</summary>
    public async Task<DisconnectPacket?> ExpectClosedAsync(TimeSpan? timeout = null)
    {
        DisconnectPacket? disconnect = null;
        while (true)
        {
            var packet = await ReceiveAsync(timeout);
            if (packet is null)
            {
                return disconnect;
            }

            if (packet is DisconnectPacket d)
            {
                disconnect = d;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        try
        {
            await _connection.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }
    }
}
