using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Manta.Broker.Tests.Performance;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Support;

/// <summary>A connection whose received bytes are counted, not decoded, so an allocation measurement sees only the broker.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private static readonly RecyclingMemoryPool Pool = new();
    private readonly Pipe _toServer = new(new PipeOptions(pool: Pool, pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(pool: Pool, pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly MqttProtocolVersion _version;
    private readonly Task _run;
    private readonly byte[] _acks = new byte[4 * 256];

    public RawConnection(MqttBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        _version = version;
        var info = new ConnectionInfo("raw", new IPEndPoint(IPAddress.Loopback, 1), null);
        _run = broker.RunConnectionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), info, null, CancellationToken.None);
    }

    public PipeWriter Input => _toServer.Writer;

    /// <summary>The packet id of a QoS 1/2 PUBLISH: right after the topic.</summary>
    private static ushort PacketIdOf(in MqttFrame frame)
    {
        var reader = new SequenceReader<byte>(frame.Body);
        reader.TryReadBigEndian(out short topicLength);
        reader.Advance(topicLength);
        reader.TryReadBigEndian(out short packetId);
        return (ushort)packetId;
    }

    private static void WritePubAck(Span<byte> destination, ushort packetId)
    {
        destination[0] = 0x40;
        destination[1] = 2;
        destination[2] = (byte)(packetId >> 8);
        destination[3] = (byte)packetId;
    }

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(packet, version, writer);
        return writer.WrittenSpan.ToArray();
    }

    public async Task HandshakeAsync(MqttPacket packet)
    {
        await _toServer.Writer.WriteAsync(Encode(packet, _version));
        var result = await _toClient.Reader.ReadAsync();
        var buffer = result.Buffer;
        Assert.True(MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _));
        _toClient.Reader.AdvanceTo(buffer.Start);
    }

    public async Task SkipAsync(long bytes)
    {
        while (bytes > 0)
        {
            var result = await _toClient.Reader.ReadAsync();
            var take = Math.Min(bytes, result.Buffer.Length);
            _toClient.Reader.AdvanceTo(result.Buffer.GetPosition(take));
            bytes -= take;
        }
    }

    /// <summary>
    /// Reads <paramref name="count"/> packets without decoding them into objects; with
    /// <paramref name="acknowledge"/>, answers each PUBLISH with a PUBACK for its packet id (QoS 1).
    /// Allocates nothing itself in steady state.
    /// </summary>
    public async Task ReceiveAsync(int count, bool acknowledge)
    {
        while (count > 0)
        {
            var result = await _toClient.Reader.ReadAsync();
            var buffer = result.Buffer;
            var acks = 0;
            while (count > 0 && MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame))
            {
                count--;
                if (acknowledge && frame.Type == MqttPacketType.Publish)
                {
                    WritePubAck(_acks.AsSpan(acks * 4, 4), PacketIdOf(frame));
                    if (++acks * 4 == _acks.Length)
                    {
                        await _toServer.Writer.WriteAsync(_acks);
                        acks = 0;
                    }
                }
            }

            _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            if (acks > 0)
            {
                await _toServer.Writer.WriteAsync(_acks.AsMemory(0, acks * 4));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
