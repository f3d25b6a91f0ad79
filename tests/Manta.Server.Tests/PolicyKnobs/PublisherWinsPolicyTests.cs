using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:SubscriptionQos=PublisherWins</c> (Aliyun): delivery at the publication's QoS.</summary>
public sealed class PublisherWinsPolicyTests(PublisherWinsPolicyTests.Host host) : IClassFixture<PublisherWinsPolicyTests.Host>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Qos0_subscriber_receives_a_qos1_publication_at_qos1(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("pubwins");
        await using var subscriber = await NetClient.ConnectAsync(host.Server, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtMostOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, version);

        await publisher.PublishAsync(topic, "upgraded", MqttQualityOfServiceLevel.AtLeastOnce);

        var message = await subscriber.NextAsync();
        Assert.Equal(("upgraded", MqttQualityOfServiceLevel.AtLeastOnce), (message.PayloadText, message.QoS));
    }

    [Fact]
    public async Task Qos0_publication_to_a_qos2_subscriber_stays_qos0()
    {
        var topic = Timeouts.Topic("pubwins0");
        await using var subscriber = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await publisher.PublishAsync(topic, "as published", MqttQualityOfServiceLevel.AtMostOnce);

        var message = await subscriber.NextAsync();
        Assert.Equal(("as published", MqttQualityOfServiceLevel.AtMostOnce), (message.PayloadText, message.QoS));
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Mosquitto_sub_at_qos0_receives_a_qos2_publication_at_qos2(string version)
    {
        var topic = Timeouts.Topic("pubwinsmosq");
        await using var sub = await Support.Mosquitto.SubAsync(host.Server, version, "-t", topic, "-q", "0", "-C", "1");

        await Support.Mosquitto.PubAsync(host.Server, version, "-t", topic, "-q", "2", "-m", "exactly once");

        var message = (await Support.Mosquitto.WaitForMessagesAsync(sub, 1)).Single();
        Assert.Equal(new SubMessage(topic, 2, false, "exactly once"), message);
        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Expect));
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:SubscriptionQos=PublisherWins");
}
