using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Limits;

public sealed class ConnectionAndTopicLimitTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.ServerBusy)]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.ServerUnavailable)]
    public async Task Connections_beyond_the_maximum_are_refused_and_the_others_keep_working(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumConnections = 2 });
        await using var first = await broker.ConnectAsync("a", version);
        await using var second = await broker.ConnectAsync("b", version);
        await using var third = broker.NewClient(version);
        Assert.Equal(expected, (await third.ConnectAsync("c")).ReasonCode);

        await first.SubscribeAsync("t");
        await second.PublishAsync("t", "still served");
        Assert.Equal("t", (await first.ReceiveAsync<PublishPacket>()).Topic);

        // A place freed is a place again.
        await second.SendAsync(new DisconnectPacket());
        await second.ExpectClosedAsync();
        await using var fourth = broker.NewClient(version);
        Assert.Equal(ReasonCode.Success, (await fourth.ConnectAsync("d")).ReasonCode);
    }

    [Fact]
    public async Task V5_a_topic_with_too_many_levels_is_refused_with_0x90_and_not_delivered()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumTopicLevels = 3 });
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("#");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        await publisher.PublishAsync("a/b/c/d", "deep", QualityOfService.AtLeastOnce, packetId: 1);
        Assert.Equal(ReasonCode.TopicNameInvalid, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);
        await publisher.PublishAsync("a/b/c", "fits", QualityOfService.AtLeastOnce, packetId: 2);
        Assert.Equal(ReasonCode.Success, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);

        Assert.Equal("a/b/c", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
        await subscriber.ExpectNothingAsync();

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task V5_a_topic_too_long_is_refused_with_0x90()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumTopicLength = 8 });
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAsync("123456789", "x", QualityOfService.ExactlyOnce, packetId: 4);
        var rec = await publisher.ReceiveAsync<PubRecPacket>();
        Assert.Equal(ReasonCode.TopicNameInvalid, rec.ReasonCode);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task V311_a_topic_beyond_the_limits_closes_the_connection_rather_than_acknowledging_a_loss()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumTopicLevels = 2 });
        await using var publisher = await broker.ConnectAsync("p");
        await publisher.PublishAsync("a/b/c", "x", QualityOfService.AtLeastOnce, packetId: 1);
        Assert.Null(await publisher.ExpectClosedAsync());

        await OthersUnaffected.AssertAsync(broker);
    }
}
