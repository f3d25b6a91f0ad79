using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>The defining property of each <see cref="SharedSubscriptionStrategy"/>.</summary>
public sealed class StrategyTests
{
    [Fact]
    public async Task Random_uses_every_member_and_delivers_each_message_exactly_once()
    {
        await using var broker = new TestBroker(new BrokerPolicy { SharedSubscriptionStrategy = SharedSubscriptionStrategy.Random });
        var members = await MembersAsync(broker, 3);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);

        // 90 messages: the chance that one of three members gets none is (2/3)^90, about 1e-16.
        await SharedDrain.PublishAsync(publisher, "jobs/a", 90);
        var all = new List<string>();
        foreach (var member in members)
        {
            var got = await SharedDrain.PayloadsAsync(member);
            Assert.NotEmpty(got);
            all.AddRange(got);
        }

        Assert.Equal(Enumerable.Range(0, 90).Select(i => $"m{i}").Order(), all.Order());
        await DisposeAsync(members);
    }

    [Fact]
    public async Task Sticky_keeps_one_member_until_it_disconnects()
    {
        await using var broker = new TestBroker(new BrokerPolicy { SharedSubscriptionStrategy = SharedSubscriptionStrategy.Sticky });
        var members = await MembersAsync(broker, 3);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);

        await SharedDrain.PublishAsync(publisher, "jobs/a", 10);
        var first = await OnlyReceiverAsync(members, 10);

        await members[first].DisconnectAsync();
        var rest = members.Where((_, i) => i != first).ToList();
        await SharedDrain.PublishAsync(publisher, "jobs/b", 10, "n");
        var second = await OnlyReceiverAsync(rest, 10);

        // Still the same one afterwards.
        await SharedDrain.PublishAsync(publisher, "jobs/c", 5, "o");
        Assert.Equal(second, await OnlyReceiverAsync(rest, 5));
        await DisposeAsync(members);
    }

    [Fact]
    public async Task Hash_client_id_sends_one_publishers_messages_to_one_member()
    {
        await using var broker = new TestBroker(new BrokerPolicy { SharedSubscriptionStrategy = SharedSubscriptionStrategy.HashClientId });
        var members = await MembersAsync(broker, 3);
        var chosen = new HashSet<int>();
        for (var p = 0; p < 8; p++)
        {
            await using var publisher = await broker.ConnectAsync($"publisher-{p}", MqttProtocolVersion.V500);
            await SharedDrain.PublishAsync(publisher, $"jobs/{p}", 10);
            chosen.Add(await OnlyReceiverAsync(members, 10));
        }

        // Different publishers are spread (8 publishers on one member out of 3 would be a poor hash).
        Assert.True(chosen.Count > 1);
        await DisposeAsync(members);
    }

    [Fact]
    public async Task Hash_topic_sends_one_topics_messages_to_one_member()
    {
        await using var broker = new TestBroker(new BrokerPolicy { SharedSubscriptionStrategy = SharedSubscriptionStrategy.HashTopic });
        var members = await MembersAsync(broker, 3);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        var chosen = new HashSet<int>();
        for (var t = 0; t < 8; t++)
        {
            await SharedDrain.PublishAsync(publisher, $"jobs/{t}", 10);
            chosen.Add(await OnlyReceiverAsync(members, 10));
        }

        Assert.True(chosen.Count > 1);
        await DisposeAsync(members);
    }

    private static async Task<List<PipeClient>> MembersAsync(TestBroker broker, int count)
    {
        var members = new List<PipeClient>();
        for (var i = 0; i < count; i++)
        {
            var member = await broker.ConnectAsync($"worker{i}", MqttProtocolVersion.V500);
            await member.SubscribeAsync("$share/workers/jobs/+");
            members.Add(member);
        }

        return members;
    }

    /// <summary>Asserts that exactly one of <paramref name="members"/> received all <paramref name="expected"/> messages since the last look; returns its position.</summary>
    private static async Task<int> OnlyReceiverAsync(List<PipeClient> members, int expected)
    {
        var receiver = -1;
        for (var i = 0; i < members.Count; i++)
        {
            var got = await SharedDrain.PayloadsAsync(members[i]);
            if (got.Count == 0)
            {
                continue;
            }

            Assert.Equal(-1, receiver);
            Assert.Equal(expected, got.Count);
            receiver = i;
        }

        Assert.NotEqual(-1, receiver);
        return receiver;
    }

    private static async Task DisposeAsync(List<PipeClient> members)
    {
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }
}
