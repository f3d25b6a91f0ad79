using System.Text;
using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Limits;

/// <summary>
/// Publisher backpressure: a connected subscriber that falls behind slows its publishers down
/// instead of losing messages; one that makes no progress stops holding them back after the
/// timeout; nobody waits for themselves or for a client that is itself waiting.
/// </summary>
public sealed class BackpressureTests
{
    [Fact]
    public async Task A_slow_qos1_subscriber_pauses_the_publisher_and_loses_nothing()
    {
        // Gate closes at 5 held deliveries and opens at 2; the queue itself would hold 10.
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 10, MaximumInflightMessages = 1 });
        await using var subscriber = await broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p");

        const int total = 100;
        var acked = 0;
        var publishing = Task.Run(async () =>
        {
            for (ushort id = 1; id <= total; id++)
            {
                await publisher.PublishAsync("t", $"m{id}", QualityOfService.AtLeastOnce, packetId: id);
            }

            for (var i = 0; i < total; i++)
            {
                await publisher.ReceiveAsync<PubAckPacket>();
                Interlocked.Increment(ref acked);
            }
        });

        // Without reading, the subscriber holds 1 in flight and the rest queued: the publisher
        // is held at the gate, far below the 100 it sent and far below the queue bound.
        await Task.Delay(300);
        Assert.InRange(broker.Broker.Sessions.Find("s")!.QueuedCount, 4, 6);
        Assert.False(publishing.IsCompleted);

        var received = await subscriber.ReceiveDeliveriesAsync(total);
        await publishing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(1, total).Select(i => $"m{i}"), received.Select(p => Encoding.UTF8.GetString(p.Payload.Span)));
        Assert.Equal(0, broker.Broker.Metrics.Statistics.MessagesDropped);
    }

    [Fact]
    public async Task A_qos0_subscriber_that_does_not_read_pauses_its_publishers_instead_of_dropping()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 20 });
        await using var subscriber = await broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("t");
        await using var first = await broker.ConnectAsync("p1");
        await using var second = await broker.ConnectAsync("p2");

        // Big enough that the pipe to the subscriber fills and the outbox backs up behind it.
        var payload = new string('x', 4000);
        const int each = 100;
        var publishing = Task.WhenAll(PublishAsync(first, "a"), PublishAsync(second, "b"));

        var received = await subscriber.ReceiveDeliveriesAsync(2 * each);
        await publishing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, broker.Broker.Metrics.Statistics.MessagesDropped);
        Assert.Equal(each, received.Count(p => p.Payload.Span[0] == (byte)'a'));
        Assert.Equal(each, received.Count(p => p.Payload.Span[0] == (byte)'b'));

        async Task PublishAsync(PipeClient client, string tag)
        {
            for (var i = 0; i < each; i++)
            {
                await client.PublishAsync("t", tag + payload);
            }
        }
    }

    [Fact]
    public async Task A_stuck_subscriber_stops_holding_publishers_back_after_the_timeout_and_its_bounds_apply()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 4, MaximumInflightMessages = 1, BackpressureTimeout = TimeSpan.FromSeconds(2) });
        await using var stuck = broker.NewClient(MqttProtocolVersion.V500);
        await stuck.ConnectAsync("stuck");
        await stuck.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        // 1 in flight, then queued up to the gate (2): the 4th PUBLISH is not read yet.
        for (ushort id = 1; id <= 6; id++)
        {
            await publisher.PublishAsync("t", $"m{id}", QualityOfService.AtLeastOnce, packetId: id);
        }

        for (var i = 0; i < 3; i++)
        {
            await publisher.ReceiveAsync<PubAckPacket>();
        }

        await publisher.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));

        // Two ticks see the gate closed for the timeout: it gives up, the publisher reads on, the
        // queue fills to its bound and the overflow policy disconnects the stuck consumer.
        for (var i = 0; i < 4; i++)
        {
            broker.Advance(TimeSpan.FromSeconds(1));
        }

        for (var i = 0; i < 3; i++)
        {
            await publisher.ReceiveAsync<PubAckPacket>();
        }

        Assert.Equal(ReasonCode.QuotaExceeded, (await stuck.ExpectClosedAsync())?.ReasonCode);
        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task A_client_publishing_to_its_own_subscription_never_waits_for_itself()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 8, MaximumInflightMessages = 1, QueueOverflow = QueueOverflowPolicy.DropNew });
        await using var client = await broker.ConnectAsync("self");
        await client.SubscribeAsync("t", QualityOfService.AtLeastOnce);

        // It never acknowledges its deliveries, yet every PUBLISH of its own is acknowledged.
        for (ushort id = 1; id <= 20; id++)
        {
            await client.PublishAsync("t", $"m{id}", QualityOfService.AtLeastOnce, packetId: id);
        }

        var acks = 0;
        while (acks < 20)
        {
            if (await client.ReceiveAsync() is PubAckPacket)
            {
                acks++;
            }
        }
    }

    [Fact]
    public async Task Two_clients_publishing_to_each_other_do_not_deadlock()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 6, MaximumInflightMessages = 1, QueueOverflow = QueueOverflowPolicy.DropNew });
        await using var a = await broker.ConnectAsync("a");
        await a.SubscribeAsync("to/a", QualityOfService.AtLeastOnce);
        await using var b = await broker.ConnectAsync("b");
        await b.SubscribeAsync("to/b", QualityOfService.AtLeastOnce);

        // Neither acknowledges what it receives. First a fills b's gate: a waits for b. Then b
        // publishes to a: b must not wait for a (a is itself waiting), so b's PUBLISHes are read.
        for (ushort id = 1; id <= 5; id++)
        {
            await a.PublishAsync("to/b", $"a{id}", QualityOfService.AtLeastOnce, packetId: id);
        }

        await Task.Delay(200);
        for (ushort id = 1; id <= 5; id++)
        {
            await b.PublishAsync("to/a", $"b{id}", QualityOfService.AtLeastOnce, packetId: id);
        }

        var acks = 0;
        while (acks < 5)
        {
            if (await b.ReceiveAsync() is PubAckPacket)
            {
                acks++;
            }
        }
    }
}
