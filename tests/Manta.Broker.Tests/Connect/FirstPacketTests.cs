using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Connect;

/// <summary>MQTT-3.1.0-1: after a network connection is established, the first packet from the client must be CONNECT.</summary>
public sealed class FirstPacketTests
{
    [Fact]
    public async Task Pingreq_before_connect_closes_without_a_reply_MQTT_3_1_0_1()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        await client.SendRawAsync(0xC0, 0x00);
        Assert.Null(await client.ReceiveRawAsync());
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Publish_before_connect_closes_without_a_reply_and_is_not_routed_MQTT_3_1_0_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("sub", version);
        await subscriber.SubscribeAsync("t");

        await using var client = broker.NewClient(version);
        await client.SendAsync(new PublishPacket { Topic = "t", Payload = "x"u8.ToArray() });
        Assert.Null(await client.ReceiveRawAsync());
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Subscribe_before_connect_closes_without_a_suback_MQTT_3_1_0_1()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        await client.SendAsync(new SubscribePacket { PacketId = 1, Subscriptions = [new TopicSubscription { TopicFilter = "t" }] });
        Assert.Null(await client.ReceiveRawAsync());
        Assert.Equal(0, broker.Broker.Index.Count);
    }
}
