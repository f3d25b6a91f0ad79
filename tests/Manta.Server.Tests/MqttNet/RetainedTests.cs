using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class RetainedTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Retained_message_reaches_later_subscriber_with_retain_flag_MQTT_3_3_1_6(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("retain");
        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, version))
        {
            await publisher.PublishAsync(topic, "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        }

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await subscriber.NextAsync();
        Assert.Equal(topic, message.Topic);
        Assert.Equal("kept", message.PayloadText);
        Assert.True(message.Retain);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QoS);
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Retained_message_reaches_later_wildcard_subscriber_MQTT_3_3_1_6(MqttProtocolVersion version)
    {
        var root = Timeouts.Topic("retainwild");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await publisher.PublishAsync($"{root}/a", "A", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{root}/b/c", "BC", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var got = new[] { await subscriber.NextAsync(), await subscriber.NextAsync() }.OrderBy(m => m.Topic, StringComparer.Ordinal).ToList();
        Assert.Equal([($"{root}/a", "A", true), ($"{root}/b/c", "BC", true)], got.Select(m => (m.Topic, m.PayloadText, m.Retain)));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Live_delivery_to_existing_subscriber_has_retain_flag_clear_MQTT_3_3_1_9(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("retainlive");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, "live", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        var message = await subscriber.NextAsync();
        Assert.Equal("live", message.PayloadText);
        Assert.False(message.Retain);
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task New_retained_message_replaces_the_old_one_MQTT_3_3_1_5(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("retainreplace");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await publisher.PublishAsync(topic, "old", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync(topic, "new", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("new", (await subscriber.NextAsync()).PayloadText);
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Empty_retained_payload_deletes_the_retained_message_MQTT_3_3_1_10(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("retaindelete");
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await publisher.PublishAsync(topic, "doomed", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync(topic, string.Empty, MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await subscriber.ExpectNothingAsync();
    }
}
