using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Policy;

/// <summary>BrokerPolicy.Retain = Disconnect and PassOnAsProperty.</summary>
public sealed class RetainPolicyTests
{
    [Fact]
    public async Task V5_connack_announces_retain_unavailable_when_retain_disconnects()
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.Disconnect });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal((byte)0, (await client.ConnectAsync("c")).Properties?.RetainAvailable);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Retained_publish_is_refused_with_disconnect_0x9A_MQTT_3_2_2_14(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.Disconnect });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t");
        await using var client = await broker.ConnectAsync("c", version);
        await client.PublishAsync("t", "x", retain: true);
        var disconnect = await client.ExpectClosedAsync();
        Assert.Equal(version == MqttProtocolVersion.V500 ? ReasonCode.RetainNotSupported : null, disconnect?.ReasonCode);
        await subscriber.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Retained.Count);
    }

    [Fact]
    public async Task V5_retained_will_is_refused_with_connack_0x9A_MQTT_3_2_2_13()
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.Disconnect });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c", will: new WillMessage { Topic = "w", Payload = "x"u8.ToArray(), Retain = true });
        Assert.Equal(ReasonCode.RetainNotSupported, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Pass_on_as_property_does_not_store_and_delivers_retain_0(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.PassOnAsProperty });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainAsPublished = true });
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "x", QualityOfService.AtLeastOnce, retain: true);

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.False(delivered.Retain);
        Assert.Equal("x"u8.ToArray(), delivered.Payload.ToArray());
        if (version == MqttProtocolVersion.V500)
        {
            Assert.Equal([new UserProperty("mqtt-retain", "true")], delivered.Properties?.UserProperties);
        }

        Assert.Equal(0, broker.Broker.Retained.Count);
        await using var later = await broker.ConnectAsync("later", version);
        await later.SubscribeAsync("t");
        await later.ExpectNothingAsync();
    }

    [Fact]
    public async Task Pass_on_as_property_uses_the_configured_property_name()
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.PassOnAsProperty, RetainPropertyName = "x-retain" });
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("t");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.SendAsync(new PublishPacket { Topic = "t", Payload = "x"u8.ToArray(), Retain = true, Properties = new MqttProperties { UserProperties = [new UserProperty("k", "v")] } });
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal([new UserProperty("k", "v"), new UserProperty("x-retain", "true")], delivered.Properties?.UserProperties);
    }

    [Fact]
    public async Task Pass_on_as_property_applies_to_a_retained_will()
    {
        await using var broker = new TestBroker(new BrokerPolicy { Retain = RetainPolicy.PassOnAsProperty });
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("w");
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500, will: new WillMessage { Topic = "w", Payload = "x"u8.ToArray(), Retain = true });
        await client.DropAndWaitAsync();
        var will = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.False(will.Retain);
        Assert.Equal([new UserProperty("mqtt-retain", "true")], will.Properties?.UserProperties);
        Assert.Equal(0, broker.Broker.Retained.Count);
    }
}
