using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;

namespace Manta.Bench;

/// <summary>
/// A publisher: closed loop (as fast as the broker takes it) or paced at a fixed rate, at
/// QoS 0, 1 or 2, every payload stamped with the send time and the next sequence number.
/// </summary>
/// <remarks>
/// <para>Closed loop, QoS 0: a send loop writes batches of pre-encoded PUBLISH packets as fast
/// as the socket takes them (TCP back-pressure is the only brake). Closed loop, QoS 1 and 2:
/// the first window of <see cref="Window"/> publishes is sent once; then the receive loop sends
/// one new PUBLISH for every completed one (PUBACK, or PUBCOMP at QoS 2), batched per socket
/// read, so the window stays full (refilled a quarter window at a time). Paced: the shared
/// <see cref="Pacer"/> sends what is due at the publisher's share of the total rate, within the
/// window at QoS 1 and 2; what the window holds back is sent later, so the achieved rate shows
/// when the broker cannot keep up.</para>
/// <para>Packet ids cycle through a ring several times the window; a table of their states
/// (free, awaiting PUBACK, PUBREC or PUBCOMP) checks every acknowledgement. Stamping happens
/// under the send lock, so sequence numbers are in wire order.</para>
/// </remarks>
internal sealed class Publisher : Connection
{
    /// <summary>Upper bound on one write: 32 KiB carries hundreds of small PUBLISH packets per syscall without hogging the socket buffer.</summary>
    private const int BatchBytes = 32 * 1024;

    /// <summary>Most packets per write, whatever their size.</summary>
    private const int MaxBatchPackets = 256;

    private const byte Free = 0;
    private const byte AwaitingPubAck = 1;
    private const byte AwaitingPubRec = 2;
    private const byte AwaitingPubComp = 3;

    private readonly PublishTemplate _template;
    private readonly int _index;
    private readonly int _qos;
    private readonly byte[] _batch;
    private readonly int _batchCount;
    private readonly byte[] _idStates;
    private int _idCursor;
    private long _nextSequence;
    private byte[] _control;
    private int _controlBytes;
    private int _completedInRead;
    private int _ackedInRead;
    private long _sent;
    private long _acked;
    private long _rejected;
    private long _unexpected;
    private int _inflight;
    private volatile bool _stopping;

    /// <summary>True for a closed-loop publisher at QoS 1 or 2, whose receive loop refills the window.</summary>
    private volatile bool _closedLoop;

    /// <param name="name">Client id.</param>
    /// <param name="version">MQTT version.</param>
    /// <param name="broker">The broker's address.</param>
    /// <param name="source">Source address to bind, or null.</param>
    /// <param name="index">The publisher's index in the run, carried in every payload's tag.</param>
    /// <param name="template">The PUBLISH to send, copied and patched.</param>
    /// <param name="qos">0, 1 or 2, as in the template.</param>
    /// <param name="window">Unacknowledged QoS 1 and 2 publishes allowed (ignored at QoS 0).</param>
    public Publisher(string name, MqttVersion version, IPEndPoint broker, IPAddress? source, int index, PublishTemplate template, int qos, int window)
        : base(name, version, broker, source, BusyReceiveBufferSize)
    {
        _template = template;
        _index = index;
        _qos = qos;
        Window = qos == 0 ? 0 : window;
        var size = template.Bytes.Length;
        _batchCount = Math.Clamp(BatchBytes / size, 1, MaxBatchPackets);
        _batch = new byte[_batchCount * size];
        for (var i = 0; i < _batchCount; i++)
        {
            template.Bytes.CopyTo(_batch, i * size);
        }

        // Ids 1..ring: four times the window (at least 1024, at most all 65,535), so a freed id
        // is reused only after many others and the search for a free one is short.
        _idStates = qos == 0 ? [] : new byte[Math.Min(65_535, Math.Max(1024, window * 4)) + 1];
        // PUBRELs answer PUBRECs of the same size, so the receive buffer's size bounds them.
        _control = qos == 2 ? new byte[ReceiveBufferLength] : [];
    }

    /// <summary>
    /// Closed loop at QoS 1 and 2: free places in the window that trigger a refill. A quarter
    /// of the window: one write per quarter instead of one per socket read cuts the tool's
    /// kernel time (loopback sends carry the whole TCP path) while the window stays at least
    /// three quarters full.
    /// </summary>
    private int RefillQuantum => Math.Max(1, Window / 4);

    /// <summary>Unacknowledged QoS 1 and 2 publishes allowed; 0 at QoS 0. Set it before publishing starts (the broker's Receive Maximum may lower it).</summary>
    public int Window { get; set; }

    /// <summary>Publishes whose bytes were fully written to the socket.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>Publishes the broker accepted: PUBACK (QoS 1) or PUBCOMP (QoS 2) with a success reason code.</summary>
    public long Acked => Volatile.Read(ref _acked);

    /// <summary>Publishes the broker refused (5.0 PUBACK or PUBREC reason code 0x80 or above).</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Acknowledgements for a packet id that was not awaiting that acknowledgement.</summary>
    public long Unexpected => Volatile.Read(ref _unexpected);

    /// <summary>QoS 1 and 2 publishes sent and not yet completed.</summary>
    public int Inflight => Volatile.Read(ref _inflight);

    /// <summary>Stops sending new publishes; acknowledgements are still received and PUBRELs still sent.</summary>
    public void Stop() => _stopping = true;

    /// <summary>True once <see cref="Stop"/> was called.</summary>
    public bool IsStopping => _stopping;

    /// <summary>
    /// Starts closed-loop publishing: at QoS 0 a send loop, at QoS 1 and 2 the first window
    /// (the receive loop keeps it full). The task ends when the publisher stops or its
    /// connection fails (QoS 0), or once the first window is written (QoS 1 and 2).
    /// </summary>
    public Task StartClosedLoop(CancellationToken cancellationToken)
    {
        // Task.Run: a send loop whose sends complete synchronously must not run on the caller's thread.
        if (_qos == 0)
        {
            return Task.Run(() => RunClosedLoopAsync(cancellationToken), CancellationToken.None);
        }

        _closedLoop = true;
        return Task.Run(() => SendReservedAsync(Reserve(Window), cancellationToken).AsTask(), CancellationToken.None);
    }

    /// <summary>Paced publishing (<see cref="Pacer"/>): sends up to <paramref name="want"/> publishes, as many as the window allows; returns how many.</summary>
    public async ValueTask<int> SendPacedAsync(int want, CancellationToken cancellationToken)
    {
        var count = Reserve(want);
        await SendReservedAsync(count, cancellationToken);
        return count;
    }

    protected override void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
        // PUBACK, PUBREC, PUBCOMP (§3.4, 3.5, 3.7): packet id (2); in 5.0 then an optional reason
        // code (absent means success) and optional properties.
        var type = header >> 4;
        if (type is not (PacketType.PubAck or PacketType.PubRec or PacketType.PubComp) || body.Length < 2)
        {
            return;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(body);
        var reason = body.Length > 2 ? body[2] : 0;
        if (body.Length > 3 && Wire.SkipProperties(body, 3) != body.Length)
        {
            Volatile.Write(ref _unexpected, _unexpected + 1);
            return;
        }

        var state = id < _idStates.Length ? _idStates[id] : (byte)0xFF;
        switch (type)
        {
            case PacketType.PubAck when state == AwaitingPubAck:
                Complete(id, reason);
                break;
            case PacketType.PubRec when state == AwaitingPubRec && reason >= 0x80:
                // A refused QoS 2 publish ends at PUBREC: no PUBREL (§4.3.3).
                Complete(id, reason);
                break;
            case PacketType.PubRec when state == AwaitingPubRec:
                Volatile.Write(ref _idStates[id], AwaitingPubComp);
                PacketTemplates.WriteAck(_control.AsSpan(_controlBytes), 0x62, id);
                _controlBytes += PacketTemplates.AckSize;
                break;
            case PacketType.PubComp when state == AwaitingPubComp:
                Complete(id, reason);
                break;
            default:
                Volatile.Write(ref _unexpected, _unexpected + 1);
                break;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask OnFramesParsedAsync(CancellationToken cancellationToken)
    {
        var completed = _completedInRead;
        if (completed == 0 && _controlBytes == 0)
        {
            return;
        }

        var refill = 0;
        if (completed > 0)
        {
            _completedInRead = 0;
            Volatile.Write(ref _acked, _acked + _ackedInRead);
            _ackedInRead = 0;
            Interlocked.Add(ref _inflight, -completed);
            if (_closedLoop && !_stopping && Window - Volatile.Read(ref _inflight) >= RefillQuantum)
            {
                refill = Reserve(Window);
            }
        }

        if (_controlBytes == 0 && refill == 0)
        {
            return;
        }

        await AcquireSendAsync(cancellationToken);
        try
        {
            if (_controlBytes > 0)
            {
                var length = _controlBytes;
                _controlBytes = 0;
                await WriteAsync(_control.AsMemory(0, length), cancellationToken);
            }

            await WriteStampedAsync(refill, cancellationToken);
        }
        finally
        {
            ReleaseSend();
        }
    }

    protected override void OnReceiveBufferGrown(int newLength)
    {
        if (_qos == 2 && newLength > _control.Length)
        {
            var bigger = new byte[newLength];
            _control.AsSpan(0, _controlBytes).CopyTo(bigger);
            _control = bigger;
        }
    }

    private void Complete(ushort id, int reason)
    {
        Volatile.Write(ref _idStates[id], Free);
        _completedInRead++;
        if (reason >= 0x80)
        {
            Volatile.Write(ref _rejected, _rejected + 1);
        }
        else
        {
            _ackedInRead++;
        }
    }

    private async Task RunClosedLoopAsync(CancellationToken cancellationToken)
    {
        while (!_stopping)
        {
            await SendReservedAsync(_batchCount, cancellationToken);
            // Sends that complete synchronously would keep this loop on one pool thread
            // forever; yielding lets many publishers share the pool's few threads.
            await Task.Yield();
        }
    }

    /// <summary>Takes up to <paramref name="want"/> free places in the window (all of them at QoS 0); returns how many.</summary>
    private int Reserve(int want)
    {
        if (_qos == 0)
        {
            return want;
        }

        while (true)
        {
            var inflight = Volatile.Read(ref _inflight);
            var count = Math.Min(want, Window - inflight);
            if (count <= 0)
            {
                return 0;
            }

            if (Interlocked.CompareExchange(ref _inflight, inflight + count, inflight) == inflight)
            {
                return count;
            }
        }
    }

    /// <summary>Sends <paramref name="count"/> publishes (already reserved in the window) under the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendReservedAsync(int count, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return;
        }

        await AcquireSendAsync(cancellationToken);
        try
        {
            await WriteStampedAsync(count, cancellationToken);
        }
        finally
        {
            ReleaseSend();
        }
    }

    /// <summary>Stamps and writes <paramref name="count"/> publishes in batches; the caller holds the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteStampedAsync(int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            var n = Math.Min(count, _batchCount);
            Stamp(n);
            await WriteAsync(_batch.AsMemory(0, n * _template.Bytes.Length), cancellationToken);
            Volatile.Write(ref _sent, _sent + n);
            count -= n;
        }
    }

    /// <summary>Writes the send time, the tag and, at QoS 1 and 2, a free packet id into the first <paramref name="count"/> packets of the batch.</summary>
    private void Stamp(int count)
    {
        var size = _template.Bytes.Length;
        var now = Stopwatch.GetTimestamp();
        var span = _batch.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var packet = span.Slice(i * size, size);
            var payload = packet[_template.PayloadOffset..];
            BinaryPrimitives.WriteInt64LittleEndian(payload, now);
            BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], PayloadTag.Of(_index, _nextSequence++));
            if (_qos > 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet[_template.PacketIdOffset..], NextPacketId());
            }
        }
    }

    /// <summary>The next free id of the ring, marked as awaiting its first acknowledgement; the window guarantees one is free.</summary>
    private ushort NextPacketId()
    {
        while (true)
        {
            _idCursor = _idCursor >= _idStates.Length - 1 ? 1 : _idCursor + 1;
            if (Volatile.Read(ref _idStates[_idCursor]) == Free)
            {
                Volatile.Write(ref _idStates[_idCursor], _qos == 1 ? AwaitingPubAck : AwaitingPubRec);
                return (ushort)_idCursor;
            }
        }
    }
}
