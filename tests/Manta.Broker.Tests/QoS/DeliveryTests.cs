using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.QoS;

/// <summary>Delivery QoS, ordering (4.6) and outbound packet identifiers (2.2.1).</summary>
public sealed class DeliveryTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce, QualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.ExactlyOnce, QualityOfService.AtLeastOnce, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtLeastOnce, QualityOfService.ExactlyOnce, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtMostOnce, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.ExactlyOnce, QualityOfService.AtMostOnce, QualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.ExactlyOnce, QualityOfService.AtLeastOnce, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.AtLeastOnce, QualityOfService.ExactlyOnce, QualityOfService.AtLeastOnce)]
    public async Task Delivery_qos_is_the_lower_of_publish_and_subscription_MQTT_3_8_4_6(MqttProtocolVersion version, QualityOfService published, QualityOfService subscribed, QualityOfService expected)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", subscribed);
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "x", published);
        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(expected, delivered.QoS);
        Assert.Equal(expected == QualityOfService.AtMostOnce, delivered.PacketId == 0);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Messages_from_one_publisher_keep_their_order_per_qos_MQTT_4_6_0_6(MqttProtocolVersion version)
    {
        const int Count = 200;
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.ExactlyOnce);
        await using var publisher = await broker.ConnectAsync("p", version);

        var receiving = subscriber.ReceiveDeliveriesAsync(Count);
        var expectedAcks = 0;
        for (var i = 0; i < Count; i++)
        {
            var qos = (QualityOfService)(i % 3);
            expectedAcks += qos == QualityOfService.AtMostOnce ? 0 : 1;
            await publisher.SendAsync(new PublishPacket { Topic = "t", Payload = Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), QoS = qos, PacketId = qos == QualityOfService.AtMostOnce ? (ushort)0 : (ushort)(i + 1) });
        }

        var completed = 0;
        while (completed < expectedAcks)
        {
            switch (await publisher.ReceiveAsync())
            {
                case PubAckPacket:
                case PubCompPacket:
                    completed++;
                    break;
                case PubRecPacket rec:
                    await publisher.SendAsync(new PubRelPacket { PacketId = rec.PacketId });
                    break;
                case var other:
                    throw new Xunit.Sdk.XunitException($"unexpected {other?.GetType().Name ?? "close"}");
            }
        }

        var deliveries = await receiving;
        var numbers = deliveries.Select(d => (Qos: d.QoS, N: int.Parse(Encoding.UTF8.GetString(d.Payload.Span), System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(Enumerable.Range(0, Count), numbers.Select(n => n.N).Order());
        foreach (var qos in new[] { QualityOfService.AtMostOnce, QualityOfService.AtLeastOnce, QualityOfService.ExactlyOnce })
        {
            var sequence = numbers.Where(n => n.Qos == qos).Select(n => n.N).ToList();
            Assert.All(sequence, n => Assert.Equal(qos, (QualityOfService)(n % 3)));
            Assert.Equal(sequence.Order(), sequence);
        }
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos1_stream_of_200_arrives_in_publish_order_MQTT_4_6_0_6(MqttProtocolVersion version)
    {
        const int Count = 200;
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p", version);
        var receiving = subscriber.ReceiveDeliveriesAsync(Count);
        for (var i = 0; i < Count; i++)
        {
            await publisher.SendAsync(new PublishPacket { Topic = "t", Payload = BitConverter.GetBytes(i), QoS = QualityOfService.AtLeastOnce, PacketId = (ushort)(i + 1) });
        }

        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(i + 1, (await publisher.ReceiveAsync<PubAckPacket>()).PacketId);
        }

        var deliveries = await receiving;
        Assert.Equal(Enumerable.Range(0, Count), deliveries.Select(d => BitConverter.ToInt32(d.Payload.Span)));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.ExactlyOnce)]
    public async Task Outbound_packet_ids_are_nonzero_and_unique_among_unacknowledged_MQTT_2_2_1_2(MqttProtocolVersion version, QualityOfService qos)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", version);
        await subscriber.SubscribeAsync("t", qos);
        await using var publisher = await broker.ConnectAsync("p", version);
        for (ushort i = 1; i <= 40; i++)
        {
            await publisher.PublishAndAckAsync("t", "x", qos, i);
        }

        var ids = new HashSet<ushort>();
        for (var i = 0; i < 40; i++)
        {
            var delivered = await subscriber.ReceiveAsync<PublishPacket>();
            Assert.NotEqual(0, delivered.PacketId);
            Assert.True(ids.Add(delivered.PacketId), $"packet id {delivered.PacketId} reused while unacknowledged");
        }
    }
}
