using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Policy;

/// <summary>A dedicated host started with <c>--Manta:Broker:Policy:MaximumQoS=AtLeastOnce</c>.</summary>
public sealed class MaximumQosPolicyTests : IAsyncLifetime
{
    private MantaServer _server = null!;

    public async Task InitializeAsync() => _server = await MantaServer.StartAsync("--Manta:Broker:Policy:MaximumQoS=AtLeastOnce");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task V5_connack_announces_maximum_qos_1_MQTT_3_2_2_9()
    {
        await using var client = await NetClient.ConnectAsync(_server, MqttProtocolVersion.V500);

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, client.ConnectResult.MaximumQoS);
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Qos2_subscription_is_granted_qos1_and_delivers_at_qos1_MQTT_3_2_2_10(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("maxqos");
        await using var subscriber = await NetClient.ConnectAsync(_server, version);
        await using var publisher = await NetClient.ConnectAsync(_server, version);

        var result = await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.Single().ResultCode);

        await publisher.PublishAsync(topic, "capped", MqttQualityOfServiceLevel.AtLeastOnce);
        var message = await subscriber.NextAsync();
        Assert.Equal(("capped", MqttQualityOfServiceLevel.AtLeastOnce), (message.PayloadText, message.QoS));
    }

    [Fact]
    public async Task Mosquitto_qos2_subscription_is_granted_qos1()
    {
        await using var sub = await Support.Mosquitto.SubAsync(_server, "mqttv311", "-t", Timeouts.Topic("maxqosmosq"), "-q", "2", "-E");
        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Expect));
        // mosquitto_sub -d prints the granted QoS of each filter: "Subscribed (mid: 1): 1".
        Assert.Contains(sub.StdoutLines, l => l.StartsWith("Subscribed (mid: 1): 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V5_qos2_publish_beyond_maximum_gets_disconnect_0x9B_MQTT_3_2_2_11()
    {
        await using var raw = await RawClient.ConnectAsync(_server);
        await raw.ConnectMqttAsync(5, Timeouts.ClientId("q2"));

        // PUBLISH QoS 2, topic "q", packet id 1, no properties, payload "x".
        await raw.SendAsync(RawClient.Packet(0x34, RawClient.Str("q"), [0x00, 0x01, 0x00], "x"u8.ToArray()));

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets), "connection not closed");
        var disconnect = Assert.Single(packets);
        Assert.Equal(0xE0, disconnect.Header);
        Assert.Equal(0x9B, disconnect.Body[0]);
    }
}
