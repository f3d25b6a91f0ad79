using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>Topic wildcards (4.7.1) and $-topics (4.7.2), observed as deliveries.</summary>
public sealed class WildcardMatchingTests
{
    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("#", "sport/tennis", true)]
    [InlineData("#", "/", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("+/tennis/#", "sport/tennis/x", true)]
    [InlineData("a/+/c", "a//c", true)]
    [InlineData("a/+/c", "a/b/d", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/b", "A/b", false)]
    [InlineData("+", "a", true)]
    [InlineData("+/#", "a", true)]
    public async Task Filter_matches_topic_as_specified_MQTT_4_7_1(string filter, string topic, bool matches)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V311);
        await subscriber.SubscribeAsync(filter, packetId: 1);
        await subscriber.SubscribeAsync("sentinel/zz", packetId: 2);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V311);
        await publisher.PublishAsync(topic, "x");
        await publisher.PublishAsync("sentinel/zz", "end");

        var first = await subscriber.ReceiveAsync<PublishPacket>();
        if (matches)
        {
            Assert.Equal(topic, first.Topic);
            first = await subscriber.ReceiveAsync<PublishPacket>();
        }

        Assert.Equal("sentinel/zz", first.Topic);
    }

    [Theory]
    [InlineData("#", "$SYS/broker/clients", false)]
    [InlineData("+/broker/clients", "$SYS/broker/clients", false)]
    [InlineData("+/#", "$SYS/x", false)]
    [InlineData("$SYS/#", "$SYS/broker/clients", true)]
    [InlineData("$SYS/+/clients", "$SYS/broker/clients", true)]
    [InlineData("$SYS/broker/clients", "$SYS/broker/clients", true)]
    [InlineData("$app/#", "$app", true)]
    public async Task Dollar_topics_are_not_matched_by_filters_starting_with_a_wildcard_MQTT_4_7_2_1(string filter, string topic, bool matches)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(filter, packetId: 1);
        await subscriber.SubscribeAsync("sentinel/zz", packetId: 2);
        broker.Broker.Publish(new PublishPacket { Topic = topic, Payload = "x"u8.ToArray() });
        broker.Broker.Publish(new PublishPacket { Topic = "sentinel/zz", Payload = "end"u8.ToArray() });

        var first = await subscriber.ReceiveAsync<PublishPacket>();
        if (matches)
        {
            Assert.Equal(topic, first.Topic);
            first = await subscriber.ReceiveAsync<PublishPacket>();
        }

        Assert.Equal("sentinel/zz", first.Topic);
    }
}
