using System.Buffers.Binary;
using System.Diagnostics;

namespace Manta.Bench;

/// <summary>
/// A closed-loop publisher. At QoS 0 it writes batches of pre-encoded PUBLISH packets as fast
/// as the socket takes them (TCP back-pressure is the only brake). At QoS 1 it keeps at most
/// <see cref="QoS1Window"/> publishes unacknowledged: it sends a full window once, then its
/// receive loop sends one new PUBLISH for every PUBACK, batched per socket read.
/// </summary>
internal sealed class Publisher : Connection
{
    /// <summary>Unacknowledged QoS 1 publishes per connection: emqtt-bench's and MQTTnet's usual inflight limit, small enough that the broker's default receive maximum never refuses it.</summary>
    public const int QoS1Window = 64;

    /// <summary>Upper bound on one QoS 0 write: 32 KiB carries hundreds of small PUBLISH packets per syscall without hogging the socket buffer.</summary>
    private const int QoS0BatchBytes = 32 * 1024;

    private readonly PublishTemplate _template;
    private readonly int _qos;
    private readonly byte[] _batch;
    private readonly int _batchCount;
    private ushort _nextPacketId;
    private int _freed;
    private long _sent;
    private long _acked;
    private int _inflight;
    private volatile bool _stopping;

    public Publisher(PublishTemplate template, int qos)
    {
        _template = template;
        _qos = qos;
        var size = template.Bytes.Length;
        _batchCount = qos == 0 ? Math.Clamp(QoS0BatchBytes / size, 1, 256) : QoS1Window;
        _batch = new byte[_batchCount * size];
        for (var i = 0; i < _batchCount; i++)
        {
            template.Bytes.CopyTo(_batch, i * size);
        }
    }

    /// <summary>Publishes whose bytes were fully written to the socket.</summary>
    public long Sent => Volatile.Read(ref _sent);

    /// <summary>QoS 1 publishes the broker acknowledged with PUBACK.</summary>
    public long Acked => Volatile.Read(ref _acked);

    /// <summary>QoS 1 publishes sent and not yet acknowledged.</summary>
    public int Inflight => Volatile.Read(ref _inflight);

    /// <summary>Stops sending new publishes; QoS 1 acknowledgements are still received.</summary>
    public void Stop() => _stopping = true;

    /// <summary>
    /// At QoS 0, sends until <see cref="Stop"/>. At QoS 1, sends the first window and then runs
    /// the receive loop (which refills the window) until the connection closes or
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_qos == 0)
        {
            var all = _batch.AsMemory();
            while (!_stopping)
            {
                Stamp(_batchCount);
                await SendAsync(all, cancellationToken);
                Volatile.Write(ref _sent, _sent + _batchCount);
                // Sends that complete synchronously would keep this loop on one pool thread
                // forever; yielding lets many publishers share the pool's few threads.
                await Task.Yield();
            }

            return;
        }

        Volatile.Write(ref _inflight, QoS1Window);
        Stamp(QoS1Window);
        await SendAsync(_batch, cancellationToken);
        Volatile.Write(ref _sent, _sent + QoS1Window);
        await RunReceiveLoopAsync(cancellationToken);
    }

    protected override void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
        // PUBACK (3.1.1): 0x40, remaining length 2, packet id. The broker acknowledges in
        // order and the window is far below 65,535 ids, so counting is enough.
        if (header >> 4 == 4)
        {
            _freed++;
        }
    }

    protected override async ValueTask OnFramesParsedAsync(CancellationToken cancellationToken)
    {
        var freed = _freed;
        if (freed == 0)
        {
            return;
        }

        _freed = 0;
        Volatile.Write(ref _acked, _acked + freed);
        if (_stopping)
        {
            Interlocked.Add(ref _inflight, -freed);
            return;
        }

        // One PUBLISH back for each PUBACK: the window stays full, written in one send.
        Stamp(freed);
        await SendAsync(_batch.AsMemory(0, freed * _template.Bytes.Length), cancellationToken);
        Volatile.Write(ref _sent, _sent + freed);
    }

    /// <summary>Writes the send time into the first <paramref name="count"/> packets of the batch, and fresh packet ids at QoS 1.</summary>
    private void Stamp(int count)
    {
        var size = _template.Bytes.Length;
        var now = Stopwatch.GetTimestamp();
        var span = _batch.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var packet = span.Slice(i * size, size);
            BinaryPrimitives.WriteInt64LittleEndian(packet[_template.PayloadOffset..], now);
            if (_template.PacketIdOffset >= 0)
            {
                _nextPacketId = _nextPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_nextPacketId + 1);
                BinaryPrimitives.WriteUInt16BigEndian(packet[_template.PacketIdOffset..], _nextPacketId);
            }
        }
    }
}
