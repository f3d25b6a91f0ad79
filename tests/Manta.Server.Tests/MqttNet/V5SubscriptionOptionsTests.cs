using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class V5SubscriptionOptionsTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Fact]
    public async Task No_local_subscription_does_not_echo_own_messages_MQTT_3_8_3_3()
    {
        var topic = Timeouts.Topic("nolocal");
        await using var self = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var other = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await self.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithNoLocal());

        await self.PublishAsync(topic, "mine", MqttQualityOfServiceLevel.AtLeastOnce);
        await other.PublishAsync(topic, "theirs", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("theirs", (await self.NextAsync()).PayloadText);
        await self.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_delivery_MQTT_3_3_1_13()
    {
        var topic = Timeouts.Topic("rap");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithRetainAsPublished());

        await publisher.PublishAsync(topic, "flagged", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        var message = await subscriber.NextAsync();
        Assert.Equal(("flagged", true), (message.PayloadText, message.Retain));
    }

    [Fact]
    public async Task Retain_handling_2_sends_no_retained_messages_on_subscribe_MQTT_3_3_1_11()
    {
        var topic = Timeouts.Topic("rh2");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);

        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe));

        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Retain_handling_1_sends_retained_only_for_a_new_subscription_MQTT_3_3_1_10()
    {
        var topic = Timeouts.Topic("rh1");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);

        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
        Assert.Equal("retained", (await subscriber.NextAsync()).PayloadText);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce, options: f => f.WithRetainHandling(MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));

        await subscriber.ExpectNothingAsync();
    }
}
