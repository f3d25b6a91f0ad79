using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Connect;

/// <summary>The Session Present flag of CONNACK (MQTT-3.2.2-1..3; v5 MQTT-3.2.2-2, -3).</summary>
public sealed class SessionPresentTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Clean_start_gives_session_present_0_even_when_a_session_existed_MQTT_3_2_2_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var props = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using (var first = broker.NewClient(version))
        {
            Assert.False((await first.ConnectAsync("c", cleanStart: false, properties: props)).SessionPresent);
            await first.SubscribeAsync("t");
            await first.DisconnectAsync();
        }

        await using var second = broker.NewClient(version);
        var ack = await second.ConnectAsync("c", cleanStart: true, properties: props);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        Assert.False(ack.SessionPresent);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Persistent_session_without_a_stored_session_gives_session_present_0_MQTT_3_2_2_2(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(version);
        var ack = await client.ConnectAsync("c", cleanStart: false, properties: version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null);
        Assert.False(ack.SessionPresent);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Resumed_session_gives_session_present_1_MQTT_3_2_2_2(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var props = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using (var first = broker.NewClient(version))
        {
            await first.ConnectAsync("c", cleanStart: false, properties: props);
            await first.DisconnectAsync();
        }

        await using var second = broker.NewClient(version);
        var ack = await second.ConnectAsync("c", cleanStart: false, properties: props);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        if (version == MqttProtocolVersion.V310)
        {
            // 3.1 has no Session Present flag: the acknowledge flags byte is reserved.
            Assert.False(ack.SessionPresent);
        }
        else
        {
            Assert.True(ack.SessionPresent);
        }
    }

    [Fact]
    public async Task Refused_connect_has_session_present_0_MQTT_3_2_2_4()
    {
        await using var broker = new TestBroker(new Broker.Policy.BrokerPolicy { WillsAllowed = false });
        await using (var first = broker.NewClient())
        {
            await first.ConnectAsync("c", cleanStart: false);
            await first.DisconnectAsync();
        }

        await using var second = broker.NewClient();
        var ack = await second.ConnectAsync("c", cleanStart: false, will: new Protocol.Packets.WillMessage { Topic = "w", Payload = "x"u8.ToArray() });
        Assert.NotEqual(ReasonCode.Success, ack.ReasonCode);
        Assert.False(ack.SessionPresent);
    }
}
