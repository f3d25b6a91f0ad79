using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Limits;

public sealed class SubscriptionLimitTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.QuotaExceeded)]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.UnspecifiedError)]
    public async Task Subscriptions_beyond_the_per_client_maximum_are_refused_and_others_keep_theirs(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumSubscriptionsPerClient = 2 });
        await using var client = await broker.ConnectAsync("c", version);
        await client.SendAsync(new SubscribePacket
        {
            PacketId = 1,
            Subscriptions = [new TopicSubscription { TopicFilter = "a" }, new TopicSubscription { TopicFilter = "b" }, new TopicSubscription { TopicFilter = "c" }],
        });
        var subAck = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal([ReasonCode.GrantedQoS0, ReasonCode.GrantedQoS0, expected], subAck.ReasonCodes);

        // Re-subscribing to a filter it holds is a replacement, not one more.
        Assert.Equal(ReasonCode.GrantedQoS1, Assert.Single((await client.SubscribeAsync("a", QualityOfService.AtLeastOnce, packetId: 2)).ReasonCodes));

        // Another client is not limited by this one's subscriptions.
        await using var other = await broker.ConnectAsync("o", version);
        Assert.Equal(ReasonCode.GrantedQoS0, Assert.Single((await other.SubscribeAsync("c")).ReasonCodes));
        await client.PublishAsync("c", "x");
        Assert.Equal("c", (await other.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task A_filter_with_too_many_levels_gets_0x8F()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumTopicLevels = 3 });
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.TopicFilterInvalid, Assert.Single((await client.SubscribeAsync("a/b/c/#")).ReasonCodes));
        Assert.Equal(ReasonCode.GrantedQoS0, Assert.Single((await client.SubscribeAsync("a/b/#", packetId: 2)).ReasonCodes));

        await OthersUnaffected.AssertAsync(broker);
    }
}
