using System.Text;
using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Limits;

/// <summary>A full session queue: drop QoS 0 first (oldest first), then disconnect a slow consumer; or the other policies.</summary>
public sealed class QueueOverflowTests
{
    [Fact]
    public async Task A_full_offline_queue_drops_its_oldest_qos0_message_first()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 3, QueueQos0WhileOffline = true });
        await ParkAsync(broker);
        await using var publisher = await broker.ConnectAsync("p");
        await PublishAllAsync(publisher, ("q0-a", QualityOfService.AtMostOnce), ("q1-a", QualityOfService.AtLeastOnce), ("q0-b", QualityOfService.AtMostOnce), ("q1-b", QualityOfService.AtLeastOnce));

        Assert.Equal(["q1-a", "q0-b", "q1-b"], await ResumeAndReadAsync(broker, 3));
    }

    [Fact]
    public async Task Without_backpressure_a_connected_consumer_too_slow_for_its_queue_is_disconnected_with_0x97()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 2, MaximumInflightMessages = 1, Backpressure = false });
        await using var slow = broker.NewClient(MqttProtocolVersion.V500);
        await slow.ConnectAsync("slow", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 600 });
        await slow.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        // 1 in flight (never acknowledged) + 2 queued fill it; the 4th has nowhere to go.
        for (ushort id = 1; id <= 4; id++)
        {
            await publisher.PublishAsync("t", $"m{id}", QualityOfService.AtLeastOnce, packetId: id);
            await publisher.ReceiveAsync<PubAckPacket>();
        }

        var disconnect = await slow.ExpectClosedAsync();
        Assert.Equal(ReasonCode.QuotaExceeded, disconnect?.ReasonCode);

        // The persistent session kept what it had: the unacknowledged one and the two queued.
        Assert.Equal(2, broker.Broker.Sessions.Find("slow")!.QueuedCount);
        Assert.Equal(1, broker.Broker.Sessions.Find("slow")!.InflightCount);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task Drop_oldest_makes_room_whatever_the_qos()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 2, QueueOverflow = QueueOverflowPolicy.DropOldest });
        await ParkAsync(broker);
        await using var publisher = await broker.ConnectAsync("p");
        await PublishAllAsync(publisher, ("a", QualityOfService.AtLeastOnce), ("b", QualityOfService.AtLeastOnce), ("c", QualityOfService.AtLeastOnce));
        Assert.Equal(["b", "c"], await ResumeAndReadAsync(broker, 2));
    }

    [Fact]
    public async Task Drop_new_keeps_the_queue_as_it_is()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 2, QueueOverflow = QueueOverflowPolicy.DropNew });
        await ParkAsync(broker);
        await using var publisher = await broker.ConnectAsync("p");
        await PublishAllAsync(publisher, ("a", QualityOfService.AtLeastOnce), ("b", QualityOfService.AtLeastOnce), ("c", QualityOfService.AtLeastOnce));
        Assert.Equal(["a", "b"], await ResumeAndReadAsync(broker, 2));
    }

    [Fact]
    public async Task The_byte_limit_bounds_the_queue_too()
    {
        // Each message holds topic "t" (1 byte) and a 40-byte payload: two fit in 100 bytes, three do not.
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedBytes = 100, QueueOverflow = QueueOverflowPolicy.DropNew });
        await ParkAsync(broker);
        await using var publisher = await broker.ConnectAsync("p");
        var forty = new string('x', 39);
        await PublishAllAsync(publisher, ("1" + forty, QualityOfService.AtLeastOnce), ("2" + forty, QualityOfService.AtLeastOnce), ("3" + forty, QualityOfService.AtLeastOnce));
        Assert.Equal(82, broker.Broker.Sessions.Find("s")!.QueuedBytes);
        Assert.Equal(["1" + forty, "2" + forty], await ResumeAndReadAsync(broker, 2));
    }

    private static async Task ParkAsync(TestBroker broker)
    {
        await using var subscriber = broker.NewClient();
        await subscriber.ConnectAsync("s", cleanStart: false);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await subscriber.SendAsync(new DisconnectPacket());
        await subscriber.ExpectClosedAsync();
    }

    private static async Task PublishAllAsync(PipeClient publisher, params (string Payload, QualityOfService QoS)[] messages)
    {
        ushort id = 0;
        foreach (var (payload, qos) in messages)
        {
            await publisher.PublishAsync("t", payload, qos, packetId: ++id);
            if (qos != QualityOfService.AtMostOnce)
            {
                await publisher.ReceiveAsync<PubAckPacket>();
            }
        }

        await publisher.SendAsync(new PingReqPacket());
        await publisher.ReceiveAsync<PingRespPacket>();
    }

    private static async Task<List<string>> ResumeAndReadAsync(TestBroker broker, int count)
    {
        await using var subscriber = await broker.ConnectAsync("s", cleanStart: false);
        var received = (await subscriber.ReceiveDeliveriesAsync(count)).Select(p => Encoding.UTF8.GetString(p.Payload.Span)).ToList();
        await subscriber.ExpectNothingAsync();
        return received;
    }
}
