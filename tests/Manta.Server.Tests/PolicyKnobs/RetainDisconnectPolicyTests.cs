using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:Retain=Disconnect</c>.</summary>
public sealed class RetainDisconnectPolicyTests(RetainDisconnectPolicyTests.Host host) : IClassFixture<RetainDisconnectPolicyTests.Host>
{
    [Fact]
    public async Task V5_connack_says_retain_is_not_available()
    {
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.False(client.ConnectResult.RetainAvailable);
    }

    [Fact]
    public async Task Mosquitto_pub_v311_retained_is_closed_and_not_delivered()
    {
        var topic = Timeouts.Topic("noretain");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var (code, output) = await PolicyAssert.MosquittoPubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-r", "-m", "must not pass");

        Assert.True(code != 0, $"mosquitto_pub -V mqttv311 -r exited 0 although retain is refused\n{output}");
        Assert.DoesNotContain("received PUBACK", output, StringComparison.Ordinal);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));

        // The same without -r passes: the refusal is about the flag.
        await Support.Mosquitto.PubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-m", "plain");
        var plain = await watcher.NextAsync();
        Assert.Equal(("plain", false), (plain.PayloadText, plain.Retain));
    }

    [Fact]
    public async Task Mosquitto_pub_v5_heeds_retain_available_0_and_sends_retain_0_MQTT_3_2_2_14()
    {
        // libmosquitto reads Retain Available 0 from the CONNACK and clears the flag itself (it does not fail):
        // the publication goes through as a plain one and nothing is stored.
        var topic = Timeouts.Topic("noretain5");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var (code, output) = await PolicyAssert.MosquittoPubAsync(host.Server, "mqttv5", "-t", topic, "-q", "1", "-r", "-m", "flag cleared");

        Assert.True(code == 0, output);
        Assert.Contains(", r0, ", output, StringComparison.Ordinal);
        var message = await watcher.NextAsync();
        Assert.Equal(("flag cleared", false), (message.PayloadText, message.Retain));

        await using var later = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await later.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await later.ExpectNothingAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task MqttNet_v5_retained_publish_gets_disconnect_0x9A_and_is_not_delivered()
    {
        var topic = Timeouts.Topic("noretainnet");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await Assert.ThrowsAnyAsync<Exception>(() => publisher.PublishAsync(topic, "must not pass", MqttQualityOfServiceLevel.AtLeastOnce, retain: true));

        var disconnected = await PolicyAssert.DisconnectedAsync(publisher);
        Assert.Equal(MqttClientDisconnectReason.RetainNotSupported, disconnected.Reason);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));
        Assert.True(watcher.Client.IsConnected);
    }

    [Fact]
    public async Task V5_connect_with_a_retained_will_is_refused_with_0x9A_MQTT_3_2_2_13()
    {
        var code = await Refused.ResultCodeAsync(() => NetClient.ConnectAsync(
            host.Server,
            MqttProtocolVersion.V500,
            configure: o => o.WithWillTopic(Timeouts.Topic("willretain")).WithWillPayload("x").WithWillRetain(true)));
        Assert.Equal(MqttClientConnectResultCode.RetainNotSupported, code);
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:Retain=Disconnect");
}
