using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.KeepAlive;

/// <summary>A second connection with a live client id takes the session over (MQTT-3.1.4-3; v5 DISCONNECT 0x8E).</summary>
public sealed class TakeoverTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Second_connection_closes_the_first_3x_MQTT_3_1_4_3(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var first = await broker.ConnectAsync("c", version);
        await using var second = await broker.ConnectAsync("c", version);
        Assert.Null(await first.ReceiveRawAsync());
        await first.Connection.WaitAsync(PipeClient.DefaultTimeout);
        await second.PingAsync();
    }

    [Fact]
    public async Task Second_connection_sends_disconnect_0x8E_to_the_first_v5_MQTT_3_1_4_3()
    {
        await using var broker = new TestBroker();
        await using var first = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await using var second = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        var disconnect = await first.ReceiveAsync<DisconnectPacket>();
        Assert.Equal(ReasonCode.SessionTakenOver, disconnect.ReasonCode);
        Assert.Null(await first.ReceiveAsync());
        await second.PingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Takeover_with_clean_0_continues_the_session_with_its_subscriptions(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var props = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using var first = broker.NewClient(version);
        await first.ConnectAsync("c", cleanStart: false, properties: props);
        await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);

        await using var second = broker.NewClient(version);
        var ack = await second.ConnectAsync("c", cleanStart: false, properties: props);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        Assert.True(ack.SessionPresent);
        await first.ExpectClosedAsync();

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "after", QualityOfService.AtLeastOnce);
        var delivered = await second.ReceiveAsync<PublishPacket>();
        Assert.Equal("after", System.Text.Encoding.UTF8.GetString(delivered.Payload.Span));
        Assert.Equal(QualityOfService.AtLeastOnce, delivered.QoS);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Takeover_with_clean_1_discards_the_session_MQTT_3_1_2_4(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var props = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 600 } : null;
        await using var first = broker.NewClient(version);
        await first.ConnectAsync("c", cleanStart: false, properties: props);
        await first.SubscribeAsync("t");

        await using var second = broker.NewClient(version);
        var ack = await second.ConnectAsync("c", cleanStart: true);
        Assert.False(ack.SessionPresent);
        await first.ExpectClosedAsync();

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("t", "x");
        await publisher.PingAsync();
        await second.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task Takeover_across_versions_works()
    {
        await using var broker = new TestBroker();
        await using var first = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await using var second = await broker.ConnectAsync("c", MqttProtocolVersion.V311);
        Assert.Equal(ReasonCode.SessionTakenOver, (await first.ReceiveAsync<DisconnectPacket>()).ReasonCode);
        await second.PingAsync();
    }
}
