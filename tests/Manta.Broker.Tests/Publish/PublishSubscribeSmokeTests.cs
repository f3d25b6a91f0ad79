using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Publish;

public sealed class PublishSubscribeSmokeTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.ExactlyOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.AtMostOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.ExactlyOnce)]
    public async Task Message_flows_from_publisher_to_subscriber(MqttProtocolVersion version, QualityOfService qos)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("sub", version);
        var subAck = await subscriber.SubscribeAsync("a/+", qos);
        Assert.Equal((ReasonCode)(byte)qos, Assert.Single(subAck.ReasonCodes));

        await using var publisher = await broker.ConnectAsync("pub", version);
        await publisher.PublishAsync("a/b", "hello", qos, packetId: 7);
        if (qos == QualityOfService.AtLeastOnce)
        {
            Assert.Equal(7, (await publisher.ReceiveAsync<PubAckPacket>()).PacketId);
        }
        else if (qos == QualityOfService.ExactlyOnce)
        {
            Assert.Equal(7, (await publisher.ReceiveAsync<PubRecPacket>()).PacketId);
            await publisher.SendAsync(new PubRelPacket { PacketId = 7 });
            Assert.Equal(7, (await publisher.ReceiveAsync<PubCompPacket>()).PacketId);
        }

        var delivered = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal("a/b", delivered.Topic);
        Assert.Equal("hello"u8.ToArray(), delivered.Payload.ToArray());
        Assert.Equal(qos, delivered.QoS);
        Assert.False(delivered.Retain);
    }
}
