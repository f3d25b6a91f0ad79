using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Performance;

/// <summary>
/// A subscriber that never reads while others publish to it must not grow the broker's memory
/// past its configured bound. Measured: the managed heap after a full collection.
/// </summary>
[Collection(nameof(SerialCollection))]
public sealed class SlowReaderMemoryTests
{
    private const int PayloadSize = 10 * 1024;
    private const int Messages = 10_000; // 100 MiB through the broker
    private const long Bound = 1024 * 1024;

    [Fact]
    public async Task A_subscriber_that_never_reads_costs_at_most_its_bound()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedBytes = Bound });

        // The stuck subscriber: its side of the pipe is never read, so the broker's writer blocks
        // once the pipe holds 64 KiB; everything else waits in the broker, which must bound it.
        var stuckOut = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var stuckIn = new Pipe(new PipeOptions(useSynchronizationContext: false));
        _ = broker.Broker.RunConnectionAsync(new DuplexPipe(stuckIn.Reader, stuckOut.Writer), new ConnectionInfo("stuck", new IPEndPoint(IPAddress.Loopback, 9), null), null, CancellationToken.None);
        await stuckIn.Writer.WriteAsync(Encode(new ConnectPacket { ClientId = "stuck" }));
        await stuckIn.Writer.WriteAsync(Encode(new SubscribePacket { PacketId = 1, Subscriptions = [new TopicSubscription { TopicFilter = "load" }] }));

        // A healthy subscriber on the same topic reads everything.
        await using var healthy = await broker.ConnectAsync("healthy");
        await healthy.SubscribeAsync("load");
        await using var publisher = await broker.ConnectAsync("publisher");
        await WaitUntilAsync(() => broker.Broker.Index.Count == 2);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var payload = new byte[PayloadSize];

        // The publisher first waits for the stuck subscriber (backpressure) until it is found
        // stalled, which takes the backpressure timeout on the broker's clock: keep time moving.
        using var stop = new CancellationTokenSource();
        var clock = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                broker.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
            }
        });

        // In rounds the healthy subscriber keeps up with (50 x 10 KiB, within its own bound), so
        // it receives every message while the stuck one falls ever further behind.
        const int Round = 50;
        for (var sent = 0; sent < Messages; sent += Round)
        {
            for (var i = 0; i < Round; i++)
            {
                await publisher.SendAsync(new PublishPacket { Topic = "load", Payload = payload });
            }

            for (var i = 0; i < Round; i++)
            {
                await healthy.ReceiveAsync<PublishPacket>();
            }
        }

        await stop.CancelAsync();
        await clock;
        var after = GC.GetTotalMemory(forceFullCollection: true);

        // The broker holds at most the bound for the stuck client (plus its 64 KiB pipe and fixed costs).
        Assert.True(broker.Broker.Sessions.Find("stuck")!.IsConnected);
        var growth = after - before;
        Assert.True(growth < 8 * Bound, $"heap grew by {growth / 1024} KiB for 100 MiB sent to a client that never reads (bound {Bound / 1024} KiB)");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private static byte[] Encode(MqttPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(packet, MqttProtocolVersion.V311, writer);
        return writer.WrittenSpan.ToArray();
    }
}
