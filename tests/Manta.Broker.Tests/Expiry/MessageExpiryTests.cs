using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Expiry;

/// <summary>v5 Message Expiry Interval (3.3.2.3.3): the remaining time is forwarded; expired messages are never delivered.</summary>
public sealed class MessageExpiryTests
{
    [Fact]
    public async Task A_queued_message_is_delivered_with_the_remaining_interval_MQTT_3_3_2_6()
    {
        await using var broker = new TestBroker();
        await ParkPersistentSubscriberAsync(broker);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.SendAsync(Expiring("t", 10, QualityOfService.AtLeastOnce));
        await publisher.ReceiveAsync<PubAckPacket>();

        broker.Advance(TimeSpan.FromSeconds(4));
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500, cleanStart: false);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(6u, delivered.Properties?.MessageExpiryInterval);
    }

    [Fact]
    public async Task An_expired_queued_message_is_never_delivered_MQTT_3_3_2_5()
    {
        await using var broker = new TestBroker();
        await ParkPersistentSubscriberAsync(broker);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.SendAsync(Expiring("t", 5, QualityOfService.AtLeastOnce));
        await publisher.ReceiveAsync<PubAckPacket>();
        await publisher.PublishAsync("t", "lasting", QualityOfService.AtLeastOnce, packetId: 2);
        await publisher.ReceiveAsync<PubAckPacket>();

        broker.Advance(TimeSpan.FromSeconds(6));
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500, cleanStart: false);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("lasting"u8.ToArray(), delivered.Payload.ToArray());
        await subscriber.SendAsync(new PubAckPacket { PacketId = delivered.PacketId });
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task An_expired_retained_message_is_not_sent_to_new_subscribers()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        var retained = Expiring("r", 5, QualityOfService.AtMostOnce);
        retained.Retain = true;
        await publisher.SendAsync(retained);
        await publisher.SendAsync(new PingReqPacket());
        await publisher.ReceiveAsync<PingRespPacket>();

        broker.Advance(TimeSpan.FromSeconds(2));
        await using (var early = await broker.ConnectAsync("early", MqttProtocolVersion.V500))
        {
            await early.SubscribeAsync("r");
            Assert.Equal(3u, (await early.ReceiveAsync<PublishPacket>()).Properties?.MessageExpiryInterval);
        }

        broker.Advance(TimeSpan.FromSeconds(4));
        await using var late = await broker.ConnectAsync("late", MqttProtocolVersion.V500);
        await late.SubscribeAsync("r");
        await late.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Retained.Count);
    }

    [Fact]
    public async Task A_message_without_expiry_carries_none()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("t");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAsync("t", "x");
        Assert.Null((await subscriber.ReceiveAsync<PublishPacket>()).Properties?.MessageExpiryInterval);
    }

    private static async Task ParkPersistentSubscriberAsync(TestBroker broker)
    {
        await using var subscriber = broker.NewClient(MqttProtocolVersion.V500);
        await subscriber.ConnectAsync("s", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await subscriber.SendAsync(new DisconnectPacket());
        await subscriber.ExpectClosedAsync();
    }

    private static PublishPacket Expiring(string topic, uint seconds, QualityOfService qos) => new()
    {
        Topic = topic,
        Payload = "expiring"u8.ToArray(),
        QoS = qos,
        PacketId = qos == QualityOfService.AtMostOnce ? (ushort)0 : (ushort)1,
        Properties = new MqttProperties { MessageExpiryInterval = seconds },
    };
}
