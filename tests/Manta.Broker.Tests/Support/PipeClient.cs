using System.Buffers;
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

    public PipeClient(MqttBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311, IPAddress? address = null)
    {
        Version = version;
        var info = new ConnectionInfo(
            Guid.NewGuid().ToString("N"),
            new IPEndPoint(address ?? IPAddress.Loopback, Interlocked.Increment(ref s_port)),
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

    /// <summary>Sends raw bytes and returns the DISCONNECT the broker answers with before it closes (null for a plain close).</summary>
    public async Task<DisconnectPacket?> SendRawExpectClosedAsync(params byte[] bytes)
    {
        await SendRawAsync(bytes);
        return await ExpectClosedAsync();
    }

    /// <summary>Sends a CONNECT built by the caller and returns the CONNACK.</summary>
    public async Task<ConnAckPacket> ConnectAsync(ConnectPacket connect)
    {
        await SendAsync(connect);
        return await ReceiveAsync<ConnAckPacket>();
    }

    public async Task<SubAckPacket> SubscribeAsync(TopicSubscription subscription, ushort packetId = 1, MqttProperties? properties = null)
    {
        await SendAsync(new SubscribePacket { PacketId = packetId, Subscriptions = [subscription], Properties = properties });
        return await ReceiveAsync<SubAckPacket>();
    }

    public async Task<UnsubAckPacket> UnsubscribeAsync(string filter, ushort packetId = 1)
    {
        await SendAsync(new UnsubscribePacket { PacketId = packetId, TopicFilters = [filter] });
        return await ReceiveAsync<UnsubAckPacket>();
    }

    /// <summary>Publishes and completes the publisher side of the QoS flow; returns the PUBACK / PUBREC reason code (Success for QoS 0).</summary>
    public async Task<ReasonCode> PublishAndAckAsync(string topic, string payload, QualityOfService qos, ushort packetId = 1, bool retain = false, MqttProperties? properties = null)
    {
        await SendAsync(new PublishPacket
        {
            Topic = topic,
            Payload = System.Text.Encoding.UTF8.GetBytes(payload),
            QoS = qos,
            Retain = retain,
            PacketId = qos == QualityOfService.AtMostOnce ? (ushort)0 : packetId,
            Properties = properties,
        });
        switch (qos)
        {
            case QualityOfService.AtLeastOnce:
                var ack = await ReceiveAsync<PubAckPacket>();
                Assert.Equal(packetId, ack.PacketId);
                return ack.ReasonCode;
            case QualityOfService.ExactlyOnce:
                var rec = await ReceiveAsync<PubRecPacket>();
                Assert.Equal(packetId, rec.PacketId);
                if (rec.ReasonCode >= ReasonCode.UnspecifiedError)
                {
                    return rec.ReasonCode;
                }

                await SendAsync(new PubRelPacket { PacketId = packetId });
                var comp = await ReceiveAsync<PubCompPacket>();
                Assert.Equal(packetId, comp.PacketId);
                Assert.Equal(ReasonCode.Success, comp.ReasonCode);
                return rec.ReasonCode;
            default:
                return ReasonCode.Success;
        }
    }

    /// <summary>Receives a PUBLISH and completes the receiver side of its QoS flow.</summary>
    public async Task<PublishPacket> ReceivePublishAndAckAsync()
    {
        var publish = await ReceiveAsync<PublishPacket>();
        await AckAsync(publish);
        return publish;
    }

    /// <summary>
    /// Receives <paramref name="count"/> PUBLISH packets, acknowledging each as it arrives (PUBACK, or PUBREC then PUBCOMP
    /// for its PUBREL), tolerant of the broker interleaving PUBRELs with later PUBLISHes. Returns them in arrival order.
    /// </summary>
    public async Task<List<PublishPacket>> ReceiveDeliveriesAsync(int count)
    {
        var received = new List<PublishPacket>(count);
        var awaitingRel = new HashSet<ushort>();
        while (received.Count < count || awaitingRel.Count > 0)
        {
            var packet = await ReceiveAsync();
            switch (packet)
            {
                case PublishPacket publish:
                    received.Add(publish);
                    if (publish.QoS == QualityOfService.AtLeastOnce)
                    {
                        await SendAsync(new PubAckPacket { PacketId = publish.PacketId });
                    }
                    else if (publish.QoS == QualityOfService.ExactlyOnce)
                    {
                        Assert.True(awaitingRel.Add(publish.PacketId), $"packet id {publish.PacketId} reused while in flight");
                        await SendAsync(new PubRecPacket { PacketId = publish.PacketId });
                    }

                    break;
                case PubRelPacket rel:
                    Assert.True(awaitingRel.Remove(rel.PacketId), $"PUBREL for unknown packet id {rel.PacketId}");
                    await SendAsync(new PubCompPacket { PacketId = rel.PacketId });
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"expected PUBLISH or PUBREL, got {packet?.GetType().Name ?? "connection closed"}");
            }
        }

        return received;
    }

    /// <summary>Completes the receiver side of a delivery's QoS flow (PUBACK, or PUBREC / PUBREL / PUBCOMP).</summary>
    public async Task AckAsync(PublishPacket publish)
    {
        if (publish.QoS == QualityOfService.AtLeastOnce)
        {
            await SendAsync(new PubAckPacket { PacketId = publish.PacketId });
        }
        else if (publish.QoS == QualityOfService.ExactlyOnce)
        {
            await SendAsync(new PubRecPacket { PacketId = publish.PacketId });
            var rel = await ReceiveAsync<PubRelPacket>();
            Assert.Equal(publish.PacketId, rel.PacketId);
            await SendAsync(new PubCompPacket { PacketId = publish.PacketId });
        }
    }

    /// <summary>PINGREQ, then asserts the PINGRESP; doubles as a barrier proving the broker has handled what was sent before.</summary>
    public async Task PingAsync()
    {
        await SendAsync(PingReqPacket.Instance);
        await ReceiveAsync<PingRespPacket>();
    }

    /// <summary>Sends DISCONNECT and waits for the broker to close.</summary>
    public async Task DisconnectAsync(ReasonCode reasonCode = ReasonCode.NormalDisconnection, MqttProperties? properties = null)
    {
        await SendAsync(new DisconnectPacket { ReasonCode = reasonCode, Properties = properties });
        Assert.Null(await ExpectClosedAsync());
        await Connection.WaitAsync(DefaultTimeout);
    }

    /// <summary>The next frame from the broker as raw bytes (fixed header included), or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveRawAsync(TimeSpan? timeout = null)
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
            var start = buffer;
            if (MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame))
            {
                var raw = start.Slice(0, frame.TotalSize).ToArray();
                reader.AdvanceTo(buffer.Start);
                return raw;
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Closes the client's sending side, as a client dropping its socket does.</summary>
    public async Task DropAsync() => await _toServer.Writer.CompleteAsync();

    /// <summary>Drops the connection and waits until the broker has finished with it (session detached, will handled).</summary>
    public async Task DropAndWaitAsync()
    {
        await DropAsync();
        await _connection.WaitAsync(DefaultTimeout);
    }

    public async Task<ConnAckPacket> ConnectAsync(string clientId, bool cleanStart = true, ushort keepAlive = 0, WillMessage? will = null, MqttProperties? properties = null, string? userName = null, byte[]? password = null)
    {
        await SendAsync(new ConnectPacket
        {
            Password = password,
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
