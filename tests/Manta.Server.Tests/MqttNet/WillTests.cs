using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.MqttNet;

public sealed class WillTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private static Action<MqttClientOptionsBuilder> Will(string topic, string payload) =>
        o => o.WithWillTopic(topic).WithWillPayload(payload).WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Will_is_published_when_mqttnet_connection_is_dropped_without_disconnect_MQTT_3_1_2_8(MqttProtocolVersion version)
    {
        var willTopic = Timeouts.Topic("will");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, version);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var doomed = await NetClient.ConnectAsync(fixture.Server, version, configure: Will(willTopic, "gone"));

        // Dispose without DisconnectAsync: MQTTnet closes its socket and sends no DISCONNECT.
        doomed.Client.Dispose();

        var will = await watcher.NextAsync();
        Assert.Equal(willTopic, will.Topic);
        Assert.Equal("gone", will.PayloadText);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, will.QoS);
    }

    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Will_is_published_when_raw_socket_is_reset_MQTT_3_1_2_8(byte level)
    {
        var willTopic = Timeouts.Topic("rawwill");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(level, Timeouts.ClientId("raw"), willTopic, "raw gone");

        raw.Drop();

        var will = await watcher.NextAsync();
        Assert.Equal((willTopic, "raw gone"), (will.Topic, will.PayloadText));
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Will_is_not_published_after_normal_disconnect_MQTT_3_1_2_10(MqttProtocolVersion version)
    {
        var willTopic = Timeouts.Topic("nowill");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, version);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var polite = await NetClient.ConnectAsync(fixture.Server, version, configure: Will(willTopic, "should not appear"));

        await polite.DisconnectAsync();
        polite.Client.Dispose();

        await watcher.ExpectNothingAsync();
    }

    [Fact]
    public async Task Will_is_published_after_v5_disconnect_with_will_message_reason_MQTT_3_14_2()
    {
        var willTopic = Timeouts.Topic("willreason");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var client = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, configure: Will(willTopic, "by request"));

        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await client.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage).Build(), cts.Token);
        client.Client.Dispose();

        Assert.Equal("by request", (await watcher.NextAsync()).PayloadText);
    }
}
