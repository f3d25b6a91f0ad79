using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Policy;

/// <summary>BrokerPolicy.MaximumQoS = 1 and Qos2Publish (Disconnect, NoAcknowledgement).</summary>
public sealed class MaximumQosPolicyTests
{
    [Fact]
    public async Task V5_connack_announces_maximum_qos_1_MQTT_3_2_2_9()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQoS = QualityOfService.AtLeastOnce });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal((byte)1, (await client.ConnectAsync("c")).Properties?.MaximumQoS);
    }

    [Fact]
    public async Task V5_qos2_publish_above_maximum_gets_disconnect_0x9B_MQTT_3_2_2_11()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQoS = QualityOfService.AtLeastOnce });
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.PublishAsync("t", "x", QualityOfService.ExactlyOnce);
        Assert.Equal(ReasonCode.QoSNotSupported, (await client.ExpectClosedAsync())?.ReasonCode);
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task V311_qos2_publish_above_maximum_closes()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQoS = QualityOfService.AtLeastOnce });
        await using var client = await broker.ConnectAsync("c");
        await client.PublishAsync("t", "x", QualityOfService.ExactlyOnce);
        Assert.Null(await client.ReceiveRawAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos2_subscribe_is_granted_qos1_and_delivered_at_qos1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQoS = QualityOfService.AtLeastOnce });
        await using var client = await broker.ConnectAsync("c", version);
        var ack = await client.SubscribeAsync("t", QualityOfService.ExactlyOnce);
        Assert.Equal([ReasonCode.GrantedQoS1], ack.ReasonCodes);
        await client.PublishAndAckAsync("other", "x", QualityOfService.AtLeastOnce);
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "x"u8.ToArray(), QoS = QualityOfService.ExactlyOnce });
        Assert.Equal(QualityOfService.AtLeastOnce, (await client.ReceiveAsync<PublishPacket>()).QoS);
    }

    [Fact]
    public async Task V5_will_qos2_above_maximum_is_refused_with_connack_0x9B_MQTT_3_2_2_12()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQoS = QualityOfService.AtLeastOnce });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c", will: new WillMessage { Topic = "w", Payload = "x"u8.ToArray(), QoS = QualityOfService.ExactlyOnce });
        Assert.Equal(ReasonCode.QoSNotSupported, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos2_publish_with_policy_disconnect_closes_the_connection(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { Qos2Publish = Qos2PublishHandling.Disconnect });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.ExactlyOnce);
        await using var client = await broker.ConnectAsync("c", version);
        await client.PublishAsync("t", "x", QualityOfService.ExactlyOnce);
        var disconnect = await client.ExpectClosedAsync();
        Assert.Equal(version == MqttProtocolVersion.V500 ? ReasonCode.QoSNotSupported : null, disconnect?.ReasonCode);
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task V5_connack_announces_maximum_qos_1_when_qos2_publish_is_not_accepted()
    {
        await using var broker = new TestBroker(new BrokerPolicy { Qos2Publish = Qos2PublishHandling.Disconnect });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal((byte)1, (await client.ConnectAsync("c")).Properties?.MaximumQoS);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos2_publish_with_policy_no_acknowledgement_gets_no_pubrec_and_is_not_delivered(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { Qos2Publish = Qos2PublishHandling.NoAcknowledgement });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var client = await broker.ConnectAsync("c", version);
        await client.PublishAsync("t", "x", QualityOfService.ExactlyOnce);
        await client.PingAsync();
        await subscriber.ExpectNothingAsync();

        // The connection stays usable.
        await client.PublishAndAckAsync("t", "q1", QualityOfService.AtLeastOnce, 2);
        Assert.Equal("q1"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos2_subscribe_with_policy_no_acknowledgement_gets_no_suback(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { Qos2Publish = Qos2PublishHandling.NoAcknowledgement });
        await using var client = await broker.ConnectAsync("c", version);
        await client.SendAsync(new SubscribePacket { PacketId = 1, Subscriptions = [new TopicSubscription { TopicFilter = "t", MaximumQoS = QualityOfService.ExactlyOnce }] });
        await client.PingAsync();
        Assert.Equal(0, broker.Broker.Index.Count);
    }
}
