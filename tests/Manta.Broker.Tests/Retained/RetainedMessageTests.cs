using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Retained;

/// <summary>Retained messages (3.3.1.3).</summary>
public sealed class RetainedMessageTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Retained_message_is_sent_on_subscribe_with_retain_1_MQTT_3_3_1_6_MQTT_3_3_1_8(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("a/b", "kept", QualityOfService.AtLeastOnce, retain: true);

        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("a/+", QualityOfService.ExactlyOnce);
        var retained = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal("a/b", retained.Topic);
        Assert.Equal("kept"u8.ToArray(), retained.Payload.ToArray());
        Assert.Equal(QualityOfService.AtLeastOnce, retained.QoS);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Normal_delivery_carries_retain_0_MQTT_3_3_1_9(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t");
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("t", "live", retain: true);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.False(delivered.Retain);
        Assert.Equal(1, broker.Broker.Retained.Count);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Newer_retained_message_replaces_the_older_MQTT_3_3_1_5(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "old", QualityOfService.AtLeastOnce, 1, retain: true);
        await publisher.PublishAndAckAsync("t", "new", QualityOfService.AtLeastOnce, 2, retain: true);

        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t");
        Assert.Equal("new"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
        await subscriber.ExpectNothingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Empty_retained_payload_deletes_the_retained_message_and_is_not_stored_MQTT_3_3_1_10_MQTT_3_3_1_11(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "old", QualityOfService.AtLeastOnce, 1, retain: true);
        await using var live = await broker.ConnectAsync("live", version);
        await live.SubscribeAsync("t");
        Assert.True((await live.ReceiveAsync<PublishPacket>()).Retain);

        await publisher.PublishAndAckAsync("t", string.Empty, QualityOfService.AtLeastOnce, 2, retain: true);

        // Current subscribers still get the zero-byte message as a normal delivery.
        var deleted = await live.ReceiveAsync<PublishPacket>();
        Assert.Equal(0, deleted.Payload.Length);
        Assert.False(deleted.Retain);

        await using var later = await broker.ConnectAsync("later", version);
        await later.SubscribeAsync("t");
        await later.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Retained.Count);
    }

    [Fact]
    public async Task Retained_messages_of_several_topics_are_all_sent_to_a_wildcard_subscription()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAsync("a/1", "1", retain: true);
        await publisher.PublishAsync("a/2", "2", retain: true);
        await publisher.PublishAsync("b/1", "3", retain: true);
        await publisher.PingAsync();

        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("a/#");
        var topics = new[] { (await subscriber.ReceiveAsync<PublishPacket>()).Topic, (await subscriber.ReceiveAsync<PublishPacket>()).Topic };
        Assert.Equal(["a/1", "a/2"], topics.Order());
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Retained_qos0_publish_is_stored()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p");
        await publisher.PublishAsync("t", "q0", retain: true);
        await publisher.PingAsync();
        await using var subscriber = await broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        var retained = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal(QualityOfService.AtMostOnce, retained.QoS);
    }
}
