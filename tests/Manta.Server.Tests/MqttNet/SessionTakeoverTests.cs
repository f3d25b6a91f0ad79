using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class SessionTakeoverTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Second_connection_with_same_client_id_takes_over_MQTT_3_1_4_2(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("takeover");
        var id = Timeouts.ClientId("tko");
        await using var first = await NetClient.ConnectAsync(fixture.Server, version, id);
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await using var second = await NetClient.ConnectAsync(fixture.Server, version, id);
        Assert.Equal(MqttClientConnectResultCode.Success, second.ConnectResult.ResultCode);

        var gone = await first.Disconnected.WaitAsync(Timeouts.Expect);
        Assert.False(first.Client.IsConnected);
        if (version == MqttProtocolVersion.V500)
        {
            // MQTT-3.1.4-3 (v5): DISCONNECT with reason 0x8E before the close.
            Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, gone.Reason);
        }

        await second.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await publisher.PublishAsync(topic, "to the new one", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("to the new one", (await second.NextAsync()).PayloadText);
        await first.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Takeover_with_persistent_session_keeps_subscriptions_MQTT_3_1_4_2(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("takeoverpersist");
        var id = Timeouts.ClientId("tkp");
        await using var first = await NetClient.ConnectAsync(fixture.Server, version, id, o => o.WithCleanSession(false).WithSessionExpiryInterval(300));
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await using var second = await NetClient.ConnectAsync(fixture.Server, version, id, o => o.WithCleanSession(false).WithSessionExpiryInterval(300));
        Assert.True(second.ConnectResult.IsSessionPresent);
        await first.Disconnected.WaitAsync(Timeouts.Expect);

        await using var publisher = await NetClient.ConnectAsync(fixture.Server, version);
        await publisher.PublishAsync(topic, "inherited", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("inherited", (await second.NextAsync()).PayloadText);
    }
}
