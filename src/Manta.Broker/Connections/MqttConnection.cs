using System.Buffers.Binary;
using System.IO.Pipelines;
using Manta.Broker.Channel;
using Manta.Broker.Diagnostics;
using Manta.Broker.TopicAliases;
using Manta.Protocol;
using Manta.Protocol.Codec;

namespace Manta.Broker.Connections;

/// <summary>
/// Drives one <see cref="MqttChannel"/> over an <see cref="IDuplexPipe"/>: a read loop that cuts
/// frames and dispatches them, and a write loop - the only writer to the pipe - that drains the
/// outbox, encodes, and flushes once per batch. Knows nothing of sockets, TLS or WebSocket.
/// </summary>
public sealed class MqttConnection : IConnectionControl
{
    // Items drained per round; the writer flushes once per round, so this bounds the bytes
    // buffered before a flush while still coalescing many small packets into one syscall.
    private const int BatchSize = 256;

    // CONNECT's fixed header: type 1 with its reserved flags 0 (MQTT-2.1.3-1).
    private const byte ConnectFirstByte = 0x10;

    [ThreadStatic]
    private static OutboundItem[]? t_batch;

    private readonly MqttBroker _broker;
    private readonly IDuplexPipe _transport;
    private readonly Action? _abort;
    private readonly Outbox _outbox;
    private readonly long _openedAt;
    private long _lastActivity;
    private OutboundTopicAliases? _outboundAliases;
    private SentTally _sent;
    private volatile bool _closeRequested;
    private TaskCompletionSource? _closing;

    /// <summary>Creates a connection; <paramref name="abort"/> tears the transport down when a flush hangs.</summary>
    internal MqttConnection(MqttBroker broker, IDuplexPipe transport, ConnectionInfo info, Action? abort)
    {
        _broker = broker;
        _transport = transport;
        _abort = abort;
        Info = info;
        _outbox = new Outbox(broker.Policy.MaximumQueuedMessages, broker.Policy.MaximumQueuedBytes, FlowGate.For(broker.Policy), broker.Journal?.Store);
        Channel = new MqttChannel(broker, _outbox, info, this);
        _openedAt = broker.Clock.Now;
        _lastActivity = _openedAt;
    }

    /// <summary>Transport facts.</summary>
    public ConnectionInfo Info { get; }

    /// <summary>The protocol state machine.</summary>
    public MqttChannel Channel { get; }

    /// <summary>Runs until the connection ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var id = _broker.Connections.Add(this);
        _broker.Metrics.ConnectionOpened(Info.ListenerName);
        var writing = WriteLoopAsync();
        try
        {
            await ReadLoopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Channel.CloseReason = "stopped by the host";
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException) // Kestrel's ConnectionResetException is an IOException
        {
            Channel.CloseReason = "connection lost: " + exception.Message;
        }
        catch (Exception exception)
        {
            Channel.CloseReason = "connection failed: " + exception.Message;
            BrokerLog.ConnectionFailed(_broker.Logger, exception, Info.ConnectionId, Info.RemoteEndPoint);
        }
        finally
        {
            Channel.OnTransportClosed();
            _closeRequested = true;
            _outbox.Wake();
            await FinishWritingAsync(writing).ConfigureAwait(false);
            _outbox.Close();
            await _transport.Input.CompleteAsync().ConfigureAwait(false);
            await _transport.Output.CompleteAsync().ConfigureAwait(false);
            _broker.Connections.Remove(id);
        }
    }

    /// <inheritdoc />
    public void CloseAfterFlush()
    {
        _closeRequested = true;
        Interlocked.MemoryBarrier();
        _outbox.Wake();
        Volatile.Read(ref _closing)?.TrySetResult();
        _transport.Input.CancelPendingRead();
    }

    /// <summary>Connect timeout and keep-alive (1.5 times the interval, MQTT-3.1.2-24), from the shared tick.</summary>
    internal void OnTick(long now)
    {
        var channel = Channel;
        switch (channel.State)
        {
            case ChannelState.AwaitingConnect or ChannelState.Authenticating:
                // An AUTH exchange that stalls is held to the same deadline as a missing CONNECT.
                if (now - _openedAt >= _broker.Clock.SecondsToTicks(_broker.Options.ConnectTimeout.TotalSeconds))
                {
                    BrokerLog.ConnectTimeout(_broker.Logger, Info.RemoteEndPoint, _broker.Options.ConnectTimeout.TotalSeconds);
                    channel.Close(channel.State == ChannelState.Authenticating ? "authentication not completed in time" : "no CONNECT in time");
                }

                break;
            case ChannelState.Connected:
                if (_outbox.Flow.CheckStall(now, _broker.Clock.SecondsToTicks(_broker.Policy.BackpressureTimeout.TotalSeconds)))
                {
                    BrokerLog.SlowConsumerStalled(_broker.Logger, channel.ClientId, _outbox.Flow.Count, _broker.Policy.BackpressureTimeout.TotalSeconds);
                    _broker.Metrics.SubscriberStalled();
                }

                var keepAlive = channel.KeepAliveSeconds;
                if (keepAlive > 0 && now - Volatile.Read(ref _lastActivity) >= _broker.Clock.SecondsToTicks(keepAlive * 1.5))
                {
                    BrokerLog.KeepAliveTimeout(_broker.Logger, channel.ClientId, Info.RemoteEndPoint, keepAlive);
                    channel.DisconnectWith(ReasonCode.KeepAliveTimeout, "keep-alive timeout");
                }

                break;
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        var maxPacketSize = _broker.Policy.MaximumPacketSize;
        while (!_closeRequested)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            Volatile.Write(ref _lastActivity, _broker.Clock.Now);
            try
            {
                if (Channel.State == ChannelState.AwaitingConnect && !buffer.IsEmpty && buffer.FirstSpan[0] != ConnectFirstByte)
                {
                    // Decided on the first byte: an HTTP probe or a port scanner is dropped at once,
                    // not held until the connect timeout waiting for a "body" (MQTT-3.1.0-1).
                    throw new MqttProtocolException(ReasonCode.ProtocolError, $"first packet is not CONNECT (first byte 0x{buffer.FirstSpan[0]:X2}) (MQTT-3.1.0-1)");
                }

                while (Channel.State != ChannelState.Closed && MqttFrameReader.TryRead(ref buffer, maxPacketSize, out var frame))
                {
                    var handling = Channel.HandleAsync(frame);
                    if (!handling.IsCompletedSuccessfully)
                    {
                        await handling.ConfigureAwait(false);
                    }

                    consumed = buffer.Start;
                    if (Channel.Backpressure is not null)
                    {
                        // A subscriber is too far behind: stop here and wait before the next packet.
                        break;
                    }
                }
            }
            catch (MqttProtocolException exception)
            {
                Channel.OnProtocolError(exception);
            }

            if (Channel.State == ChannelState.Closed)
            {
                input.AdvanceTo(buffer.End);
                return;
            }

            _broker.Metrics.BytesRead(result.Buffer.Slice(0, consumed).Length);
            var gate = Channel.Backpressure;
            var unread = gate is not null && !buffer.IsEmpty;

            // When stopped early, what is left was not examined: the next read must return it at once.
            input.AdvanceTo(consumed, gate is null ? buffer.End : consumed);
            if ((result.IsCompleted && !unread) || result.IsCanceled)
            {
                return;
            }

            if (gate is not null)
            {
                Channel.Backpressure = null;
                await WaitForSubscriberAsync(gate).ConfigureAwait(false);
            }

            if (_outbox.IsBacklogged)
            {
                await _outbox.WaitForRoomAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Publisher backpressure: waits until <paramref name="gate"/> opens (its subscriber drained,
    /// stalled past the timeout, or went away) or this connection is closing.
    /// </summary>
    private async ValueTask WaitForSubscriberAsync(FlowGate gate)
    {
        var waiting = gate.WaitAsync();
        if (waiting.IsCompleted)
        {
            return;
        }

        _broker.Metrics.PublisherPaused();
        var own = _outbox.Flow;
        own.OwnerWaiting = true;
        try
        {
            // Created with a full fence before the flag is read; CloseAfterFlush sets the flag before reading this.
            var closing = Volatile.Read(ref _closing);
            if (closing is null)
            {
                Interlocked.CompareExchange(ref _closing, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
                closing = _closing!;
            }

            if (_closeRequested)
            {
                return;
            }

            await Task.WhenAny(waiting, closing.Task).ConfigureAwait(false);
        }
        finally
        {
            own.OwnerWaiting = false;
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        try
        {
            while (true)
            {
                var written = WriteBatch(output, out var blockedAt);
                if (written == 0)
                {
                    if (blockedAt > 0)
                    {
                        // The next item waits for a commit (exactly once across a crash).
                        await _outbox.Store!.WhenDurableAsync(blockedAt).ConfigureAwait(false);
                        continue;
                    }

                    if (_closeRequested)
                    {
                        return;
                    }

                    await _outbox.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                if (output.CanGetUnflushedBytes)
                {
                    _broker.Metrics.BytesWritten(output.UnflushedBytes);
                }

                var flush = await output.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The transport went away; the read side notices and ends the connection.
            _transport.Input.CancelPendingRead();
        }
        catch (Exception exception)
        {
            // A fault of ours must be seen, and must end only this connection.
            BrokerLog.ConnectionFailed(_broker.Logger, exception, Info.ConnectionId, Info.RemoteEndPoint);
            _transport.Input.CancelPendingRead();
        }
    }

    /// <summary>Drains and encodes without awaiting, so a thread-static batch array serves every connection.</summary>
    private int WriteBatch(PipeWriter output, out long blockedAt)
    {
        blockedAt = 0;
        var batch = t_batch ??= new OutboundItem[BatchSize];
        var version = Channel.Version == MqttProtocolVersion.Unknown ? MqttProtocolVersion.V311 : Channel.Version;
        var total = 0;
        var published = 0;
        int count;
        while ((count = _outbox.Drain(batch, out blockedAt)) > 0)
        {
            try
            {
                for (var i = 0; i < count; i++)
                {
                    published += Encode(output, version, ref batch[i]);
                }
            }
            finally
            {
                for (var i = 0; i < count; i++)
                {
                    batch[i].Message?.Release();
                    batch[i] = default;
                }
            }

            total += count;
            if (count < batch.Length || blockedAt > 0)
            {
                break;
            }
        }

        if (published > 0)
        {
            _broker.Metrics.MessagesSent(ref _sent);
        }

        return total;
    }

    private int Encode(PipeWriter output, MqttProtocolVersion version, ref OutboundItem item)
    {
        switch (item.Kind)
        {
            case OutboundKind.Publish:
                return EncodePublish(output, version, ref item);
            case OutboundKind.Packet:
                Protocol.Codec.MqttPacketEncoder.Encode(item.Packet!, version, output);
                return 0;
            case OutboundKind.PingResp:
                var ping = output.GetSpan(2);
                ping[0] = (byte)MqttPacketType.PingResp << 4;
                ping[1] = 0;
                output.Advance(2);
                return 0;
            default:
                EncodeAck(output, version, in item);
                return 0;
        }
    }

    private int EncodePublish(PipeWriter output, MqttProtocolVersion version, ref OutboundItem item)
    {
        var message = item.Message!;
        uint remaining = 0;
        if (message.HasExpiry)
        {
            var now = _broker.Clock.Now;
            remaining = _broker.Clock.SecondsUntil(message.ExpiresAt, now);
            if (remaining == 0)
            {
                if (item.QoS == QualityOfService.AtMostOnce)
                {
                    _broker.Metrics.MessageDropped(DropReasons.Expired);
                    return 0;
                }

                // Already in flight with a packet id: send it with the least expiry the property can say.
                remaining = 1;
            }
        }

        // v5 topic alias: a topic already aliased on this connection goes out as its alias alone.
        var aliases = OutboundAliases(version);
        ushort alias = 0;
        var sendTopic = aliases is null || !aliases.TryGet(message.TopicUtf8, out alias);
        var topicLength = sendTopic ? message.TopicLength : 0;

        var limit = Channel.ClientMaximumPacketSize;
        if (limit != 0)
        {
            // Counted as if a new alias were added, so the check never underestimates.
            var size = PublishEncoder.GetSize(version, topicLength, item.QoS, message.PayloadLength, message.ForwardedProperties.Length, message.HasExpiry, remaining, item.SubscriptionIdentifiers ?? [], aliases is null ? (ushort)0 : ushort.MaxValue);
            if ((uint)size > limit)
            {
                // Never send a client more than it accepts: drop it for this client (MQTT-3.1.2-24, -25).
                _broker.Metrics.MessageDropped(DropReasons.TooLarge);
                if (item.QoS != QualityOfService.AtMostOnce)
                {
                    Channel.Session?.ForgetInflight(item.PacketId);
                }

                return 0;
            }
        }

        if (aliases is not null && sendTopic)
        {
            // Assigned only now that the packet is certain to go out, so the client always learns the mapping.
            alias = aliases.Assign(message.TopicUtf8);
        }

        PublishEncoder.Write(
            output,
            version,
            sendTopic ? message.TopicUtf8 : [],
            item.QoS,
            item.Retain,
            item.Dup,
            item.PacketId,
            message.Payload,
            message.ForwardedProperties,
            message.HasExpiry,
            remaining,
            item.SubscriptionIdentifiers ?? [],
            alias);
        _broker.Metrics.MessageWritten(ref _sent, item.QoS, item.Retain, message.PayloadLength, message.ReceivedAt, _broker.Clock);
        return 1;
    }

    private OutboundTopicAliases? OutboundAliases(MqttProtocolVersion version)
    {
        if (_outboundAliases is null && version == MqttProtocolVersion.V500 && Channel.ClientTopicAliasMaximum > 0)
        {
            _outboundAliases = new OutboundTopicAliases(Channel.ClientTopicAliasMaximum);
        }

        return _outboundAliases;
    }

    /// <summary>PUBACK, PUBREC, PUBREL, PUBCOMP: 4 bytes, or 5 with a v5 reason code other than success.</summary>
    private static void EncodeAck(PipeWriter output, MqttProtocolVersion version, in OutboundItem item)
    {
        var type = item.Kind switch
        {
            OutboundKind.PubAck => MqttPacketType.PubAck,
            OutboundKind.PubRec => MqttPacketType.PubRec,
            OutboundKind.PubRel => MqttPacketType.PubRel,
            _ => MqttPacketType.PubComp,
        };
        var withReason = version == MqttProtocolVersion.V500 && item.Reason != ReasonCode.Success;
        var span = output.GetSpan(5);

        // PUBREL carries the reserved flags 0b0010 (MQTT-3.6.1-1).
        span[0] = (byte)(((byte)type << 4) | (type == MqttPacketType.PubRel ? 0x02 : 0x00));
        span[1] = withReason ? (byte)3 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], item.PacketId);
        if (withReason)
        {
            span[4] = (byte)item.Reason;
        }

        output.Advance(withReason ? 5 : 4);
    }

    private async Task FinishWritingAsync(Task writing)
    {
        var timeout = _broker.Options.CloseFlushTimeout;
        using var stopDelay = new CancellationTokenSource();
        var delay = Task.Delay(timeout, _broker.Clock.TimeProvider, stopDelay.Token);
        var finished = await Task.WhenAny(writing, delay).ConfigureAwait(false);
        await stopDelay.CancelAsync().ConfigureAwait(false);
        if (finished != writing)
        {
            // A client that never reads must not hold the connection open: abort the transport.
            _abort?.Invoke();
            _transport.Output.CancelPendingFlush();
        }

        // The write loop handles its own faults, so this never throws.
        await writing.ConfigureAwait(false);
    }
}
