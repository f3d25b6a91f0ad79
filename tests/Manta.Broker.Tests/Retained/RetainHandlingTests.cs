using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Retained;

/// <summary>v5 Retain Handling option (3.8.3.1): 0 send at subscribe, 1 only for a new subscription, 2 never (MQTT-3.3.1-9..11).</summary>
public sealed class RetainHandlingTests
{
    private static async Task<PipeClient> SetUpAsync(TestBroker broker)
    {
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("t", "kept", QualityOfService.AtLeastOnce, retain: true);
        return await broker.ConnectAsync("s", MqttProtocolVersion.V500);
    }

    [Fact]
    public async Task Retain_handling_0_sends_retained_at_every_subscribe_MQTT_3_3_1_9()
    {
        await using var broker = new TestBroker();
        await using var client = await SetUpAsync(broker);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainHandling = RetainHandling.SendAtSubscribe }, 1);
        Assert.True((await client.ReceiveAsync<PublishPacket>()).Retain);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainHandling = RetainHandling.SendAtSubscribe }, 2);
        Assert.True((await client.ReceiveAsync<PublishPacket>()).Retain);
    }

    [Fact]
    public async Task Retain_handling_1_sends_retained_only_for_a_new_subscription_MQTT_3_3_1_10()
    {
        await using var broker = new TestBroker();
        await using var client = await SetUpAsync(broker);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainHandling = RetainHandling.SendIfNewSubscription }, 1);
        Assert.True((await client.ReceiveAsync<PublishPacket>()).Retain);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainHandling = RetainHandling.SendIfNewSubscription }, 2);
        await client.ExpectNothingAsync();
    }

    [Fact]
    public async Task Retain_handling_2_never_sends_retained_MQTT_3_3_1_11()
    {
        await using var broker = new TestBroker();
        await using var client = await SetUpAsync(broker);
        await client.SubscribeAsync(new TopicSubscription { TopicFilter = "t", RetainHandling = RetainHandling.DoNotSend }, 1);
        await client.ExpectNothingAsync();

        // The subscription itself works.
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "live"u8.ToArray() });
        Assert.Equal("live"u8.ToArray(), (await client.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }
}
