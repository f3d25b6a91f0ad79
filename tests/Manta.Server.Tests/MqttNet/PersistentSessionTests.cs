using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class PersistentSessionTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private static void Persistent(MqttClientOptionsBuilder options) => options.WithCleanSession(false).WithSessionExpiryInterval(300);

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Offline_qos1_messages_and_subscriptions_survive_reconnect_MQTT_3_1_2_4_and_3_2_2_2(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("persist");
        var id = Timeouts.ClientId("per");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, version, id, Persistent))
        {
            Assert.False(first.ConnectResult.IsSessionPresent);
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, version))
        {
            for (var i = 1; i <= 3; i++)
            {
                await publisher.PublishAsync(topic, $"offline {i}", MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }

        await using var again = await NetClient.ConnectAsync(fixture.Server, version, id, Persistent);
        Assert.True(again.ConnectResult.IsSessionPresent);
        for (var i = 1; i <= 3; i++)
        {
            var message = await again.NextAsync();
            Assert.Equal((topic, $"offline {i}", MqttQualityOfServiceLevel.AtLeastOnce), (message.Topic, message.PayloadText, message.QoS));
        }

        // The subscription itself was kept: no SUBSCRIBE was sent on this connection.
        await using var live = await NetClient.ConnectAsync(fixture.Server, version);
        await live.PublishAsync(topic, "online", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("online", (await again.NextAsync()).PayloadText);
    }

    [Fact]
    public async Task Offline_qos0_messages_are_not_queued_by_default()
    {
        var topic = Timeouts.Topic("persist0");
        var id = Timeouts.ClientId("per0");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent))
        {
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(topic, "qos0", MqttQualityOfServiceLevel.AtMostOnce);
            await publisher.PublishAsync(topic, "qos1", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent);
        Assert.True(again.ConnectResult.IsSessionPresent);
        Assert.Equal("qos1", (await again.NextAsync()).PayloadText);
        await again.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task V5_session_with_expiry_zero_ends_with_the_connection_MQTT_3_1_2_11()
    {
        var id = Timeouts.ClientId("exp0");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, o => o.WithCleanStart(false).WithSessionExpiryInterval(0)))
        {
            await first.SubscribeAsync(Timeouts.Topic("exp0"), MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, o => o.WithCleanStart(false).WithSessionExpiryInterval(0));
        Assert.False(again.ConnectResult.IsSessionPresent);
    }
}
