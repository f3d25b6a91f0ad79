using System.Buffers.Binary;
using System.Diagnostics;

namespace Manta.Bench;

/// <summary>
/// A subscriber that counts every PUBLISH, records its latency from the timestamp in the
/// payload, and at QoS 1 answers each one with a PUBACK, all PUBACKs of one socket read in
/// one send.
/// </summary>
internal sealed class Subscriber : Connection
{
    private readonly LatencyRecorder _latency;
    private byte[] _acks;
    private int _ackBytes;
    private long _received;

    public Subscriber(LatencyRecorder latency)
    {
        _latency = latency;
        // A PUBLISH is at least 4 bytes long at QoS 1 and its PUBACK 4 bytes, so a reply
        // buffer as large as the receive buffer always holds the PUBACKs of one read.
        _acks = new byte[ReceiveBufferLength];
    }

    /// <summary>PUBLISH packets received.</summary>
    public long Received => Volatile.Read(ref _received);

    protected override long OnFramesStarting() => Stopwatch.GetTimestamp();

    protected override void OnFrame(byte header, ReadOnlySpan<byte> body, long receivedTimestamp)
    {
        if (header >> 4 != 3)
        {
            return;
        }

        // PUBLISH body: topic length (2), topic, packet id (2, QoS > 0), payload.
        var qos = (header >> 1) & 0x03;
        var offset = 2 + BinaryPrimitives.ReadUInt16BigEndian(body);
        if (qos > 0)
        {
            // PUBACK (3.1.1): 0x40, remaining length 2, the packet id as received.
            var ack = _acks.AsSpan(_ackBytes, 4);
            ack[0] = 0x40;
            ack[1] = 0x02;
            ack[2] = body[offset];
            ack[3] = body[offset + 1];
            _ackBytes += 4;
            offset += 2;
        }

        if (body.Length - offset >= sizeof(long))
        {
            var sent = BinaryPrimitives.ReadInt64LittleEndian(body[offset..]);
            _latency.RecordTicks(receivedTimestamp - sent);
        }

        Volatile.Write(ref _received, _received + 1);
    }

    protected override async ValueTask OnFramesParsedAsync(CancellationToken cancellationToken)
    {
        if (_ackBytes == 0)
        {
            return;
        }

        var length = _ackBytes;
        _ackBytes = 0;
        await SendAsync(_acks.AsMemory(0, length), cancellationToken);
    }

    protected override void OnReceiveBufferGrown(int newLength)
    {
        if (newLength > _acks.Length)
        {
            var bigger = new byte[newLength];
            _acks.AsSpan(0, _ackBytes).CopyTo(bigger);
            _acks = bigger;
        }
    }
}
