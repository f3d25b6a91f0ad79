using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Policy;

/// <summary>BrokerPolicy.SubscriptionQos, MaximumInflightMessages, MaximumQueuedMessages, QueueQos0WhileOffline, ReceiveMaximum.</summary>
public sealed class DeliveryPolicyTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Publisher_wins_delivers_at_the_published_qos(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { SubscriptionQos = SubscriptionQosMode.PublisherWins });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtMostOnce);
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "x", QualityOfService.AtLeastOnce);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.AtLeastOnce, delivered.QoS);
        Assert.NotEqual(0, delivered.PacketId);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Maximum_inflight_2_keeps_two_unacknowledged_and_sends_the_third_after_a_puback(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumInflightMessages = 2 });
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p", version);
        for (ushort i = 1; i <= 3; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, i);
        }

        var first = await subscriber.ReceiveAsync<PublishPacket>();
        var second = await subscriber.ReceiveAsync<PublishPacket>();
        await subscriber.ExpectNothingAsync();
        Assert.Equal(2, broker.Broker.Sessions.Find("s")!.InflightCount);
        Assert.Equal(1, broker.Broker.Sessions.Find("s")!.QueuedCount);

        await subscriber.SendAsync(new PubAckPacket { PacketId = first.PacketId });
        var third = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("m3"u8.ToArray(), third.Payload.ToArray());
        Assert.NotEqual(second.PacketId, third.PacketId);
    }

    [Fact]
    public async Task V5_client_receive_maximum_further_limits_the_inflight_window_MQTT_3_3_4_9()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500, properties: new MqttProperties { ReceiveMaximum = 1 });
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "1"u8.ToArray(), QoS = QualityOfService.AtLeastOnce });
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "2"u8.ToArray(), QoS = QualityOfService.AtLeastOnce });
        var first = await subscriber.ReceiveAsync<PublishPacket>();
        await subscriber.ExpectNothingAsync();
        await subscriber.SendAsync(new PubAckPacket { PacketId = first.PacketId });
        Assert.Equal("2"u8.ToArray(), (await subscriber.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Maximum_queued_3_keeps_the_first_three_offline_messages(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumQueuedMessages = 3 });
        var persistent = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using (var first = await broker.ConnectAsync("s", version, cleanStart: false, properties: persistent))
        {
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", version);
        for (ushort i = 1; i <= 5; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, i);
        }

        Assert.Equal(3, broker.Broker.Sessions.Find("s")!.QueuedCount);
        await using var resumed = broker.NewClient(version);
        await resumed.ConnectAsync("s", cleanStart: false, properties: persistent);
        var deliveries = await resumed.ReceiveDeliveriesAsync(3);
        Assert.Equal(["m1", "m2", "m3"], deliveries.Select(d => System.Text.Encoding.UTF8.GetString(d.Payload.Span)));
        await resumed.ExpectNothingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Queue_qos0_while_offline_delivers_them_on_reconnect(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { QueueQos0WhileOffline = true });
        var persistent = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using (var first = await broker.ConnectAsync("s", version, cleanStart: false, properties: persistent))
        {
            await first.SubscribeAsync("t", QualityOfService.AtMostOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("t", "a");
        await publisher.PublishAsync("t", "b");
        await publisher.PingAsync();

        await using var resumed = broker.NewClient(version);
        await resumed.ConnectAsync("s", cleanStart: false, properties: persistent);
        var a = await resumed.ReceiveAsync<PublishPacket>();
        var b = await resumed.ReceiveAsync<PublishPacket>();
        Assert.Equal("a"u8.ToArray(), a.Payload.ToArray());
        Assert.Equal("b"u8.ToArray(), b.Payload.ToArray());
        Assert.Equal(QualityOfService.AtMostOnce, a.QoS);
    }

    [Fact]
    public async Task V5_client_exceeding_the_announced_receive_maximum_gets_disconnect_0x93()
    {
        await using var broker = new TestBroker(new BrokerPolicy { ReceiveMaximum = 2 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal((ushort)2, (await client.ConnectAsync("c")).Properties?.ReceiveMaximum);
        for (ushort i = 1; i <= 3; i++)
        {
            await client.PublishAsync("t", "x", QualityOfService.ExactlyOnce, packetId: i);
        }

        Assert.Equal(ReasonCode.ReceiveMaximumExceeded, (await client.ExpectClosedAsync())?.ReasonCode);
    }
}
