using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class SubscriptionIdentifierTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Fact]
    public async Task Connack_announces_subscription_identifiers_available()
    {
        await using var client = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        Assert.True(client.ConnectResult.SubscriptionIdentifiersAvailable);
    }

    [Fact]
    public async Task Subscription_identifier_reaches_the_subscriber_MQTT_3_3_4_3()
    {
        var topic = Timeouts.Topic("subid");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, subscriptionIdentifier: 268_435_455);

        await publisher.PublishAsync(topic, "x", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal([268_435_455u], (await subscriber.NextAsync()).SubscriptionIdentifiers);
    }

    [Fact]
    public async Task Overlapping_subscriptions_give_one_message_with_every_identifier_MQTT_3_3_4_3_and_3_3_4_5()
    {
        var root = Timeouts.Topic("subids");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtLeastOnce, subscriptionIdentifier: 7);
        await subscriber.SubscribeAsync($"{root}/a", MqttQualityOfServiceLevel.AtMostOnce, subscriptionIdentifier: 300);
        await subscriber.SubscribeAsync($"{root}/+", MqttQualityOfServiceLevel.AtMostOnce);

        await publisher.PublishAsync($"{root}/a", "both", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}/b", "only seven", MqttQualityOfServiceLevel.AtLeastOnce);

        var both = await subscriber.NextAsync();
        Assert.Equal("both", both.PayloadText);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, both.QoS); // highest of the matching subscriptions
        Assert.Equal([7u, 300u], both.SubscriptionIdentifiers.Order());
        var seven = await subscriber.NextAsync();
        Assert.Equal("only seven", seven.PayloadText);
        Assert.Equal([7u], seven.SubscriptionIdentifiers);
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Retained_message_carries_the_new_subscription_identifier()
    {
        var topic = Timeouts.Topic("subidretained");
        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(topic, "r", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        }

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, subscriptionIdentifier: 42);
        var message = await subscriber.NextAsync();
        Assert.True(message.Retain);
        Assert.Equal([42u], message.SubscriptionIdentifiers);
    }
}
