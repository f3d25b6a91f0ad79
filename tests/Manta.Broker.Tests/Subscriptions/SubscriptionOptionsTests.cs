using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>v5 subscription options (3.8.3.1) and subscription identifiers (3.8.2.1.2).</summary>
public sealed class SubscriptionOptionsTests
{
    private const MqttProtocolVersion V5 = MqttProtocolVersion.V500;

    [Fact]
    public async Task No_local_suppresses_the_clients_own_publications_MQTT_3_8_3_3()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5);
        await using var other = await broker.ConnectAsync("o", V5);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", NoLocal = true });
        await client.SubscribeAsync("sentinel", packetId: 2);

        await client.PublishAsync("t", "own");
        await client.PublishAsync("sentinel", "end");
        Assert.Equal("sentinel", (await client.ReceiveAsync<PublishPacket>()).Topic);

        await other.PublishAsync("t", "theirs");
        Assert.Equal("theirs"u8.ToArray(), (await client.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Fact]
    public async Task Without_no_local_the_client_receives_its_own_publications()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5);
        await client.SubscribeAsync("t");
        await client.PublishAsync("t", "own");
        Assert.Equal("own"u8.ToArray(), (await client.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Fact]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_delivery_MQTT_3_3_1_13()
    {
        await using var broker = new TestBroker();
        await using var keeps = await broker.ConnectAsync("keeps", V5);
        await using var clears = await broker.ConnectAsync("clears", V5);
        await keeps.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainAsPublished = true });
        await clears.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainAsPublished = false });

        await using var publisher = await broker.ConnectAsync("p", V5);
        await publisher.PublishAsync("t", "r", retain: true);
        await publisher.PublishAsync("t", "n", retain: false);
        Assert.True((await keeps.ReceiveAsync<PublishPacket>()).Retain);
        Assert.False((await keeps.ReceiveAsync<PublishPacket>()).Retain);
        Assert.False((await clears.ReceiveAsync<PublishPacket>()).Retain);
        Assert.False((await clears.ReceiveAsync<PublishPacket>()).Retain);
    }

    [Fact]
    public async Task Subscription_identifier_is_delivered_with_matching_messages_MQTT_3_3_4_3()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5);
        await client.SubscribeAsync("with/+", packetId: 1, properties: new MqttProperties { SubscriptionIdentifiers = [268435455] });
        await client.SubscribeAsync("without", packetId: 2);
        await using var publisher = await broker.ConnectAsync("p", V5);
        await publisher.PublishAsync("with/x", "1");
        await publisher.PublishAsync("without", "2");

        Assert.Equal(new List<uint> { 268435455 }, (await client.ReceiveAsync<PublishPacket>()).Properties?.SubscriptionIdentifiers);
        Assert.Null((await client.ReceiveAsync<PublishPacket>()).Properties?.SubscriptionIdentifiers);
    }

    [Fact]
    public async Task Subscription_identifier_is_delivered_with_retained_messages()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", V5);
        await publisher.PublishAndAckAsync("t", "kept", QualityOfService.AtLeastOnce, retain: true);
        await using var client = await broker.ConnectAsync("c", V5);
        await client.SubscribeAsync("t", packetId: 1, properties: new MqttProperties { SubscriptionIdentifiers = [42] });
        var retained = await client.ReceiveAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal(new List<uint> { 42 }, retained.Properties?.SubscriptionIdentifiers);
    }

    [Fact]
    public async Task Resubscribe_without_identifier_removes_it_MQTT_3_8_4_3()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5);
        await client.SubscribeAsync("t", packetId: 1, properties: new MqttProperties { SubscriptionIdentifiers = [5] });
        await client.SubscribeAsync("t", packetId: 2);
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "x"u8.ToArray() });
        Assert.Null((await client.ReceiveAsync<PublishPacket>()).Properties?.SubscriptionIdentifiers);
    }

    [Fact]
    public async Task User_properties_and_content_type_are_forwarded_unaltered_MQTT_3_3_2_17()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", V5);
        await subscriber.SubscribeAsync("t");
        await using var publisher = await broker.ConnectAsync("p", V5);
        await publisher.SendAsync(new PublishPacket
        {
            Topic = "t",
            Payload = "x"u8.ToArray(),
            Properties = new MqttProperties
            {
                ContentType = "text/plain",
                ResponseTopic = "reply/here",
                CorrelationData = [1, 2, 3],
                UserProperties = [new UserProperty("a", "1"), new UserProperty("a", "2"), new UserProperty("b", "3")],
            },
        });
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("text/plain", delivered.Properties?.ContentType);
        Assert.Equal("reply/here", delivered.Properties?.ResponseTopic);
        Assert.Equal(new byte[] { 1, 2, 3 }, delivered.Properties?.CorrelationData);
        Assert.Equal([new UserProperty("a", "1"), new UserProperty("a", "2"), new UserProperty("b", "3")], delivered.Properties?.UserProperties);
    }
}
