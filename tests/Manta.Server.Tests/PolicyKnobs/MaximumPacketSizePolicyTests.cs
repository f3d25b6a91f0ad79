using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:MaximumPacketSize=1024</c>.</summary>
public sealed class MaximumPacketSizePolicyTests(MaximumPacketSizePolicyTests.Host host) : IClassFixture<MaximumPacketSizePolicyTests.Host>
{
    private static readonly string Big = new('b', 2000);
    private static readonly string Small = new('s', 900);

    [Fact]
    public async Task V5_connack_announces_maximum_packet_size_1024_MQTT_3_2_2_15()
    {
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        Assert.Equal(1024u, client.ConnectResult.MaximumPacketSize);
    }

    [Fact]
    public async Task Mosquitto_pub_v311_of_2000_bytes_is_closed_and_not_delivered_while_900_bytes_pass()
    {
        var topic = Timeouts.Topic("maxsize");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var (code, output) = await PolicyAssert.MosquittoPubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-m", Big);
        Assert.True(code != 0, $"mosquitto_pub of 2000 bytes exited 0 with a 1024-byte maximum\n{output}");
        Assert.DoesNotContain("received PUBACK", output, StringComparison.Ordinal);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));

        await Support.Mosquitto.PubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-m", Small);
        Assert.Equal(Small, (await watcher.NextAsync()).PayloadText);
    }

    [Fact]
    public async Task Mosquitto_pub_v5_heeds_the_announced_maximum_and_sends_nothing_too_large_MQTT_3_2_2_15()
    {
        // libmosquitto reads Maximum Packet Size from the CONNACK and drops the oversized PUBLISH itself (exit 0).
        var topic = Timeouts.Topic("maxsize5");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var (_, output) = await PolicyAssert.MosquittoPubAsync(host.Server, "mqttv5", "-t", topic, "-q", "1", "-m", Big);

        Assert.Contains("received CONNACK", output, StringComparison.Ordinal);
        Assert.DoesNotContain("sending PUBLISH", output, StringComparison.Ordinal);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(400));

        await Support.Mosquitto.PubAsync(host.Server, "mqttv5", "-t", topic, "-q", "1", "-m", Small);
        Assert.Equal(Small, (await watcher.NextAsync()).PayloadText);
    }

    [Fact]
    public async Task MqttNet_v5_publish_of_2000_bytes_gets_disconnect_0x95()
    {
        var topic = Timeouts.Topic("maxsizenet");
        await using var watcher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var publisher = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500);

        await Assert.ThrowsAnyAsync<Exception>(() => publisher.PublishAsync(topic, Big, MqttQualityOfServiceLevel.AtLeastOnce));

        var disconnected = await PolicyAssert.DisconnectedAsync(publisher);
        Assert.Equal(MqttClientDisconnectReason.PacketTooLarge, disconnected.Reason);
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));
        Assert.True(watcher.Client.IsConnected);
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:MaximumPacketSize=1024");
}
