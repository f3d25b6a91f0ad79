using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class PublishSubscribeTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNetByQoS), MemberType = typeof(Versions))]
    public async Task Publish_reaches_subscriber_with_topic_payload_and_qos_MQTT_4_3(MqttProtocolVersion version, MqttQualityOfServiceLevel qos)
    {
        var topic = Timeouts.Topic("pubsub");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);

        var granted = await subscriber.SubscribeAsync(topic, qos);
        Assert.Equal((int)qos, (int)granted.Items.Single().ResultCode);

        var result = await publisher.PublishAsync(topic, $"hello qos {(int)qos}", qos);
        Assert.True(result.IsSuccess, $"publish result {result.ReasonCode}");

        var message = await subscriber.NextAsync();
        Assert.Equal(topic, message.Topic);
        Assert.Equal($"hello qos {(int)qos}", message.PayloadText);
        Assert.Equal(qos, message.QoS);
        Assert.False(message.Retain);
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Delivery_qos_is_the_minimum_of_publish_and_subscription_MQTT_3_8_4(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("downgrade");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, "two", MqttQualityOfServiceLevel.ExactlyOnce);

        var message = await subscriber.NextAsync();
        Assert.Equal("two", message.PayloadText);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QoS);
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Messages_from_one_publisher_arrive_in_order_MQTT_4_6_0_6(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("order");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        for (var i = 0; i < 50; i++)
        {
            await publisher.PublishAsync(topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture), MqttQualityOfServiceLevel.AtLeastOnce);
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (await subscriber.NextAsync()).PayloadText);
        }
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Unsubscribed_topic_is_no_longer_delivered_MQTT_3_10_4(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("unsub");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "before", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("before", (await subscriber.NextAsync()).PayloadText);

        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await subscriber.Client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(topic).Build(), cts.Token);
        await publisher.PublishAsync(topic, "after", MqttQualityOfServiceLevel.AtLeastOnce);

        await subscriber.ExpectNothingAsync();
    }
}
