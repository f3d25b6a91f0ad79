using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Limits;

public sealed class OutboundLimitTests
{
    [Fact]
    public async Task A_client_that_never_reads_its_acknowledgements_is_slowed_down_not_buffered()
    {
        await using var broker = new TestBroker();
        var toServer = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var info = new ConnectionInfo("flood", new IPEndPoint(IPAddress.Loopback, 2), null);
        var run = broker.Broker.RunConnectionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), info, null, CancellationToken.None);

        await Write(toServer.Writer, new ConnectPacket { ClientId = "flood" });
        const int messages = 60_000;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < messages; i++)
            {
                await Write(toServer.Writer, new PublishPacket { Topic = "t", Payload = new byte[8], QoS = QualityOfService.AtLeastOnce, PacketId = (ushort)((i % 60_000) + 1) });
            }
        });

        // 60k PUBACKs are 240 KB: more than the client's receive pipe holds, so without
        // backpressure the broker would read everything and queue the rest in memory.
        var finished = await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(2)));
        Assert.NotSame(sending, finished);

        // Reading the acknowledgements lets the publisher finish, and every one of them arrives.
        var acks = 0;
        var readAll = Task.Run(async () =>
        {
            while (acks < messages + 1)
            {
                var result = await toClient.Reader.ReadAsync();
                var buffer = result.Buffer;
                while (MqttFrameReader.TryRead(ref buffer, int.MaxValue, out _))
                {
                    acks++;
                }

                toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
            }
        });
        await sending.WaitAsync(TimeSpan.FromSeconds(20));
        await readAll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(messages + 1, acks);

        await toServer.Writer.CompleteAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Messages_larger_than_the_clients_maximum_packet_size_are_not_sent_to_it_MQTT_3_1_2_24()
    {
        await using var broker = new TestBroker();
        await using var subscriber = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await subscriber.ConnectAsync("small", properties: new MqttProperties { MaximumPacketSize = 64 });
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);

        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await publisher.PublishAsync("t", new string('x', 100), QualityOfService.AtLeastOnce, packetId: 1);
        await publisher.PublishAsync("t", "fits", QualityOfService.AtLeastOnce, packetId: 2);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("fits"u8.ToArray(), delivered.Payload.ToArray());
        Assert.Equal(0, broker.Broker.Sessions.Find("small")!.InflightCount - 1);
    }

    private static async Task Write(PipeWriter writer, MqttPacket packet)
    {
        MqttPacketEncoder.Encode(packet, MqttProtocolVersion.V311, writer);
        await writer.FlushAsync();
    }
}
