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

    public RawConnection(MqttBroker broker, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        _version = version;
        var info = new ConnectionInfo("raw", new IPEndPoint(IPAddress.Loopback, 1), null);
        _run = broker.RunConnectionAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), info, null, CancellationToken.None);
    }

    public PipeWriter Input => _toServer.Writer;

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

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
