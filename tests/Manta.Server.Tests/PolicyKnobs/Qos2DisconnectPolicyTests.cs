using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:Qos2Publish=Disconnect</c> (Azure IoT Hub).</summary>
public sealed class Qos2DisconnectPolicyTests(Qos2DisconnectPolicyTests.Host host) : IClassFixture<Qos2DisconnectPolicyTests.Host>
{
    [Fact]
    public async Task V5_connack_announces_maximum_qos_1()
    {
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, client.ConnectResult.MaximumQoS);
    }

    [Fact]
    public async Task MqttNet_v5_qos2_publish_gets_the_publisher_disconnected_and_leaves_others_alone()
    {
        var topic = Timeouts.Topic("noqos2");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await Assert.ThrowsAnyAsync<Exception>(() => publisher.PublishAsync(topic, "qos2", MqttQualityOfServiceLevel.ExactlyOnce));

        var disconnected = await PolicyAssert.DisconnectedAsync(publisher);
        Assert.Equal(MqttClientDisconnectReason.QosNotSupported, disconnected.Reason);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));

        await using var other = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await other.PublishAsync(topic, "qos1", MqttQualityOfServiceLevel.AtLeastOnce);
        var message = await watcher.NextAsync();
        Assert.Equal(("qos1", MqttQualityOfServiceLevel.AtLeastOnce), (message.PayloadText, message.QoS));
    }

    [Fact]
    public async Task Mosquitto_pub_v311_qos2_is_closed_and_not_delivered()
    {
        var topic = Timeouts.Topic("noqos2mosq");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V311);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var (code, output) = await PolicyAssert.MosquittoPubAsync(host.Server, "mqttv311", "-t", topic, "-q", "2", "-m", "qos2");

        Assert.True(code != 0, $"mosquitto_pub -q 2 exited 0\n{output}");
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));
        Assert.True(watcher.Client.IsConnected);
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:Qos2Publish=Disconnect");
}
