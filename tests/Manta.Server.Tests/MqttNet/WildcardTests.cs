using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class WildcardTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Single_level_wildcard_matches_exactly_one_level_MQTT_4_7_1_3(MqttProtocolVersion version)
    {
        var root = Timeouts.Topic("plus");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync($"{root}/+/temp", MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync($"{root}/a/b/temp", "two levels", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}/temp", "no level", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}/kitchen/temp", "one level", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}//temp", "empty level", MqttQualityOfServiceLevel.AtLeastOnce);

        var first = await subscriber.NextAsync();
        Assert.Equal(($"{root}/kitchen/temp", "one level"), (first.Topic, first.PayloadText));
        var second = await subscriber.NextAsync();
        Assert.Equal(($"{root}//temp", "empty level"), (second.Topic, second.PayloadText));
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Multi_level_wildcard_matches_parent_and_all_children_MQTT_4_7_1_2(MqttProtocolVersion version)
    {
        var root = Timeouts.Topic("hash");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync($"{root}/sensors/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync($"{root}/other/x", "no", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}/sensors", "parent", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync($"{root}/sensors/a/b/c", "deep", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("parent", (await subscriber.NextAsync()).PayloadText);
        var deep = await subscriber.NextAsync();
        Assert.Equal(($"{root}/sensors/a/b/c", "deep"), (deep.Topic, deep.PayloadText));
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Wildcards_do_not_match_dollar_topics_MQTT_4_7_2_1(MqttProtocolVersion version)
    {
        var suffix = Guid.NewGuid().ToString("N");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, version);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await subscriber.SubscribeAsync("#", MqttQualityOfServiceLevel.AtMostOnce);
        await subscriber.SubscribeAsync("+/" + suffix, MqttQualityOfServiceLevel.AtMostOnce);

        await publisher.PublishAsync("$manta/" + suffix, "dollar", MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = Timeouts.Topic("marker");
        await publisher.PublishAsync(marker, "marker", MqttQualityOfServiceLevel.AtLeastOnce);

        // Other tests' traffic on this server may also reach '#': skip it, but never see the $ topic.
        while (true)
        {
            var message = await subscriber.NextAsync();
            Assert.NotEqual("$manta/" + suffix, message.Topic);
            if (message.Topic == marker)
            {
                break;
            }
        }
    }
}
