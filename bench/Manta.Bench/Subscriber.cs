using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;

namespace Manta.Bench;

/// <summary>
/// A subscriber that counts every PUBLISH, records its latency from the timestamp in the
/// payload and its sequence number per publisher, and answers as its QoS asks: PUBACK at
/// QoS 1; PUBREC at QoS 2 and PUBCOMP for each PUBREL. All replies to one socket read go out
/// in one send.
/// </summary>
internal sealed class Subscriber : Connection
{
    private readonly LatencyRecorder _latency;
    private readonly SequenceTracker?[] _trackers;
    private byte[] _replies;
    private int _replyBytes;
    private long _received;
    private long _duplicated;
    private long _outOfOrder;
    private long _foreign;
    private long _malformed;

    /// <param name="name">Client id.</param>
    /// <param name="version">MQTT version.</param>
    /// <param name="broker">The broker's address.</param>
    /// <param name="source">Source address to bind, or null.</param>
    /// <param name="latency">Where this subscriber records latencies (its own; merged at the end).</param>
    /// <param name="publishers">Publishers in the run: payload tags at or above it are foreign.</param>
    public Subscriber(string name, MqttVersion version, IPEndPoint broker, IPAddress? source, LatencyRecorder latency, int publishers)
        : base(name, version, broker, source, BusyReceiveBufferSize)
    {
        _latency = latency;
        _trackers = new SequenceTracker?[publishers];
        // Every reply is 4 bytes and answers a packet of at least 4 bytes (a QoS 1 or 2
        // PUBLISH, or a PUBREL), so a reply buffer as large as the receive buffer always holds
        // the replies to one read.
        _replies = new byte[ReceiveBufferLength];
    }

    /// <summary>PUBLISH packets received, duplicates included.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Deliveries whose sequence number this subscriber had already received.</summary>
    public long Duplicated => Volatile.Read(ref _duplicated);

    /// <summary>Deliveries that arrived after a later one of the same publisher.</summary>
    public long OutOfOrder => Volatile.Read(ref _outOfOrder);

    /// <summary>Deliveries without the tool's payload tag, or from a publisher index outside the run.</summary>
    public long Foreign => Volatile.Read(ref _foreign);

    /// <summary>PUBLISH packets the tool could not parse.</summary>
    public long Malformed => Volatile.Read(ref _malformed);

    /// <summary>Distinct deliveries received from publisher <paramref name="publisher"/>; read after the receive loop ended.</summary>
    public long UniqueFrom(int publisher) => _trackers[publisher]?.Unique ?? 0;

    protected override long OnFramesStarting() => Stopwatch.GetTimestamp();

    protected override void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
        switch (header >> 4)
        {
            case PacketType.Publish:
                OnPublish(header, body, receivedTimestamp);
                break;
            case PacketType.PubRel when body.Length >= 2:
                // PUBREL (§3.6): packet id, then in 5.0 an optional reason code and properties.
                // Whatever the reason, the exchange ends with PUBCOMP.
                PacketTemplates.WriteAck(_replies.AsSpan(_replyBytes), 0x70, BinaryPrimitives.ReadUInt16BigEndian(body));
                _replyBytes += PacketTemplates.AckSize;
                break;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask OnFramesParsedAsync(CancellationToken cancellationToken)
    {
        if (_replyBytes == 0)
        {
            return;
        }

        var length = _replyBytes;
        _replyBytes = 0;
        await SendAsync(_replies.AsMemory(0, length), cancellationToken);
    }

    protected override void OnReceiveBufferGrown(int newLength)
    {
        if (newLength > _replies.Length)
        {
            var bigger = new byte[newLength];
            _replies.AsSpan(0, _replyBytes).CopyTo(bigger);
            _replies = bigger;
        }
    }

    // PUBLISH body (§3.3): topic (2-byte length + UTF-8), packet id (2, QoS 1 and 2),
    // properties (5.0: variable byte length + properties), payload (the rest).
    private void OnPublish(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
        var qos = (header >> 1) & 0x03;
        var offset = body.Length >= 2 ? 2 + BinaryPrimitives.ReadUInt16BigEndian(body) : int.MaxValue;
        ushort packetId = 0;
        if (qos > 0 && offset <= body.Length - 2)
        {
            packetId = BinaryPrimitives.ReadUInt16BigEndian(body[offset..]);
            offset += 2;
        }
        else if (qos > 0)
        {
            offset = int.MaxValue;
        }

        if (Version == MqttVersion.V500 && offset <= body.Length)
        {
            offset = Wire.SkipProperties(body, offset);
        }

        if (offset < 0 || offset > body.Length || qos == 3)
        {
            Volatile.Write(ref _malformed, _malformed + 1);
            return;
        }

        if (qos > 0)
        {
            // PUBACK (QoS 1) or PUBREC (QoS 2), short form, the packet id as received.
            PacketTemplates.WriteAck(_replies.AsSpan(_replyBytes), qos == 1 ? (byte)0x40 : (byte)0x50, packetId);
            _replyBytes += PacketTemplates.AckSize;
        }

        Volatile.Write(ref _received, _received + 1);
        var payload = body[offset..];
        if (payload.Length < PayloadTag.Size)
        {
            Volatile.Write(ref _foreign, _foreign + 1);
            return;
        }

        var tag = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
        var publisher = (long)(tag >> PayloadTag.SequenceBits);
        if (publisher >= _trackers.Length)
        {
            Volatile.Write(ref _foreign, _foreign + 1);
            return;
        }

        // The first message from a publisher allocates its tracker; steady state allocates nothing.
        var tracker = _trackers[publisher] ??= new SequenceTracker();
        var outOfOrder = tracker.OutOfOrder;
        if (!tracker.Record((long)(tag & PayloadTag.SequenceMask)))
        {
            Volatile.Write(ref _duplicated, _duplicated + 1);
            return;
        }

        if (tracker.OutOfOrder != outOfOrder)
        {
            Volatile.Write(ref _outOfOrder, _outOfOrder + 1);
        }

        _latency.RecordTicks(receivedTimestamp - BinaryPrimitives.ReadInt64LittleEndian(payload));
    }
}
