using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>Shared subscriptions as MQTT 5 section 4.8.2 describes them, and as EMQX users expect them from every protocol level.</summary>
public sealed class SharedSubscriptionBehaviourTests
{
    [Fact]
    public async Task Each_group_gets_one_copy_of_each_message()
    {
        await using var broker = new TestBroker();
        var members = new List<PipeClient>();
        foreach (var group in new[] { "billing", "audit" })
        {
            for (var i = 0; i < 2; i++)
            {
                var member = await broker.ConnectAsync($"{group}{i}", MqttProtocolVersion.V500);
                await member.SubscribeAsync($"$share/{group}/orders/#");
                members.Add(member);
            }
        }

        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await SharedDrain.PublishAsync(publisher, "orders/eu/1", 20);

        var expected = Enumerable.Range(0, 20).Select(i => $"m{i}").Order().ToList();
        var billing = (await SharedDrain.PayloadsAsync(members[0])).Concat(await SharedDrain.PayloadsAsync(members[1]));
        var audit = (await SharedDrain.PayloadsAsync(members[2])).Concat(await SharedDrain.PayloadsAsync(members[3]));
        Assert.Equal(expected, billing.Order());
        Assert.Equal(expected, audit.Order());
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_member_with_its_own_subscription_gets_that_copy_too()
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t/+");
        await a.SubscribeAsync("t/#", packetId: 2);
        await b.SubscribeAsync("$share/g/t/+");
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await SharedDrain.PublishAsync(publisher, "t/x", 10);

        var toA = await SharedDrain.PayloadsAsync(a);
        var toB = await SharedDrain.PayloadsAsync(b);

        // a: all 10 through its own subscription, 5 more through the group; b: the other 5.
        Assert.Equal(15, toA.Count);
        Assert.Equal(5, toB.Count);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{i}").Order(), toA.Concat(toB).Distinct().Order());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V310)]
    public async Task Clients_of_3_1_and_3_1_1_can_share(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", version);
        await using var b = await broker.ConnectAsync("b", version);
        Assert.Equal([ReasonCode.GrantedQoS1], (await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce)).ReasonCodes);
        Assert.Equal([ReasonCode.GrantedQoS1], (await b.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce)).ReasonCodes);
        await using var publisher = await broker.ConnectAsync("pub", version);
        await SharedDrain.PublishAsync(publisher, "t", 6);
        Assert.Equal(3, (await SharedDrain.PayloadsAsync(a)).Count);
        Assert.Equal(3, (await SharedDrain.PayloadsAsync(b)).Count);
    }

    [Fact]
    public async Task Queue_prefix_is_the_group_named_queue_and_either_spelling_unsubscribes_it()
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", MqttProtocolVersion.V311);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$queue/jobs/#");
        await b.SubscribeAsync("$share/$queue/jobs/#");
        await using var publisher = await broker.ConnectAsync("pub");
        await SharedDrain.PublishAsync(publisher, "jobs/1", 4);
        Assert.Equal(2, (await SharedDrain.PayloadsAsync(a)).Count);
        Assert.Equal(2, (await SharedDrain.PayloadsAsync(b)).Count);

        var unsubAck = await b.UnsubscribeAsync("$queue/jobs/#");
        Assert.Equal([ReasonCode.Success], unsubAck.ReasonCodes);
        await SharedDrain.PublishAsync(publisher, "jobs/1", 4);
        Assert.Equal(4, (await SharedDrain.PayloadsAsync(a)).Count);
        Assert.Empty(await SharedDrain.PayloadsAsync(b));
    }

    [Fact]
    public async Task Queue_prefix_without_a_filter_is_refused_0x8F()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        var ack = await client.SubscribeAsync("$queue/");
        Assert.Equal([ReasonCode.TopicFilterInvalid], ack.ReasonCodes);
        Assert.Equal(0, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task No_local_on_a_queue_subscription_is_a_protocol_error_MQTT_3_8_3_4()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendAsync(new SubscribePacket { PacketId = 1, Subscriptions = [new TopicSubscription { TopicFilter = "$queue/t", NoLocal = true }] });
        var disconnect = await client.ExpectClosedAsync();
        Assert.Equal(ReasonCode.ProtocolError, disconnect?.ReasonCode);
    }

    [Fact]
    public async Task No_retained_messages_are_sent_for_a_new_shared_subscription_MQTT_4_8_2()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await publisher.PublishAsync("status/1", "on", retain: true);
        await publisher.PingAsync();

        await using var member = await broker.ConnectAsync("m", MqttProtocolVersion.V500);
        await member.SubscribeAsync("$share/g/status/+");
        await member.SubscribeAsync("$queue/status/+", packetId: 2);
        await member.ExpectNothingAsync();

        // A new message still arrives (with the retain flag cleared, as for any non-RAP subscription).
        await SharedDrain.PublishAsync(publisher, "status/1", 1);
        Assert.Equal(["m0", "m0"], await SharedDrain.PayloadsAsync(member));
    }

    [Fact]
    public async Task Unsubscribe_leaves_the_group()
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t");
        await b.SubscribeAsync("$share/g/t");
        Assert.Equal([ReasonCode.Success], (await a.UnsubscribeAsync("$share/g/t")).ReasonCodes);
        Assert.Equal([ReasonCode.NoSubscriptionExisted], (await a.UnsubscribeAsync("$share/g/t", 2)).ReasonCodes);

        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await SharedDrain.PublishAsync(publisher, "t", 4);
        Assert.Empty(await SharedDrain.PayloadsAsync(a));
        Assert.Equal(4, (await SharedDrain.PayloadsAsync(b)).Count);

        await b.UnsubscribeAsync("$share/g/t");
        Assert.Equal(0, broker.Broker.Index.Count);
        Assert.Null(broker.Broker.Index.FindGroup("g", "t"));
        Assert.Equal(ReasonCode.NoMatchingSubscribers, await publisher.PublishAndAckAsync("t", "x", QualityOfService.AtLeastOnce));
    }
}
