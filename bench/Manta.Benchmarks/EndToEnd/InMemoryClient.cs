using System.Buffers;
using System.IO.Pipelines;
using Manta.Broker;
using Manta.Protocol;
using Manta.Protocol.Codec;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>
/// One MQTT client connected to a broker over a pair of in-memory pipes: no socket, no TLS, so
/// the end-to-end benchmark measures the broker's own work (decode, route, encode) and nothing else.
/// </summary>
internal sealed class InMemoryClient
{
    // Shared by every pipe of the process, as one Kestrel pool serves every connection.
    private static readonly BlockMemoryPool Pool = new();

    // The benchmark waits for each round to be delivered before writing the next one, so what a
    // pipe holds is bounded by one round; pausing the writer would only add thread hops that a
    // real socket with room in its buffers does not have.
    private static readonly PipeOptions Options = new(
        pool: Pool,
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: BlockMemoryPool.BlockSize,
        useSynchronizationContext: false);

    // Setup runs once; anything slower than this means the broker did not answer at all.
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toBroker = new(Options);
    private readonly Pipe _fromBroker = new(Options);

    public InMemoryClient(string clientId) => ClientId = clientId;

    public string ClientId { get; }

    /// <summary>The broker's connection loop; ends when the client closes.</summary>
    public Task Connection { get; private set; } = Task.CompletedTask;

    /// <summary>What the broker sends to this client.</summary>
    public PipeReader Incoming => _fromBroker.Reader;

    /// <summary>Hands the broker its end of the pipes, as a transport would on accept.</summary>
    public void Start(MqttBroker broker)
    {
        var transport = new DuplexPipe(_toBroker.Reader, _fromBroker.Writer);
        Connection = broker.RunConnectionAsync(transport, new ConnectionInfo(ClientId, null, null), abort: null, CancellationToken.None);
    }

    /// <summary>Writes bytes to the broker; used during setup.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _toBroker.Writer.WriteAsync(bytes);
    }

    /// <summary>
    /// Writes bytes to the broker without awaiting: the pipe never pauses its writer (threshold 0),
    /// so the flush completes at once and the benchmark thread allocates nothing for a state machine.
    /// </summary>
    public void Send(ReadOnlySpan<byte> bytes)
    {
        var writer = _toBroker.Writer;
        writer.Write(bytes);
        var flush = writer.FlushAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The publisher's pipe paused its writer; it is configured never to.");
        }
    }

    /// <summary>Reads what the broker sends until a packet of <paramref name="type"/> arrives; skips anything before it.</summary>
    public async Task ExpectAsync(MqttPacketType type)
    {
        using var timeout = new CancellationTokenSource(SetupTimeout);
        var reader = _fromBroker.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var found = false;
            while (!found && MqttFrameReader.TryRead(ref buffer, int.MaxValue, out var frame))
            {
                found = frame.Type == type;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (found)
            {
                return;
            }

            if (result.IsCompleted)
            {
                throw new InvalidOperationException($"{ClientId}: the broker closed the connection before sending {type}.");
            }
        }
    }

    /// <summary>
    /// Closes the client's side; the broker's read loop sees the end of input and closes the
    /// connection. <see cref="Incoming"/> stays open: whoever reads it completes it.
    /// </summary>
    public async Task CloseAsync()
    {
        await _toBroker.Writer.CompleteAsync();
        await Connection;
    }
}
