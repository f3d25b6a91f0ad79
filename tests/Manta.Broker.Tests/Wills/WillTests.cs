using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Wills;

/// <summary>Will messages (3.1.2.5, 3.1.3.2): published when the connection ends other than by a normal DISCONNECT.</summary>
public sealed class WillTests
{
    private static WillMessage Will(QualityOfService qos = QualityOfService.AtMostOnce, bool retain = false, uint? delay = null) => new()
    {
        Topic = "will/c",
        Payload = "gone"u8.ToArray(),
        QoS = qos,
        Retain = retain,
        Properties = delay is null ? null : new MqttProperties { WillDelayInterval = delay },
    };

    private static async Task<PipeClient> WatcherAsync(TestBroker broker, MqttProtocolVersion version, QualityOfService qos = QualityOfService.ExactlyOnce)
    {
        var watcher = await broker.ConnectAsync("watcher", version);
        await watcher.SubscribeAsync("will/#", qos);
        return watcher;
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_is_published_on_an_abnormal_close_MQTT_3_1_2_8(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, version);
        await using var client = await broker.ConnectAsync("c", version, will: Will());
        await client.DropAsync();
        var will = await watcher.ReceiveAsync<PublishPacket>();
        Assert.Equal("will/c", will.Topic);
        Assert.Equal("gone"u8.ToArray(), will.Payload.ToArray());
        Assert.False(will.Retain);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_is_published_on_keep_alive_expiry_MQTT_3_1_2_8(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, version);
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 4, will: Will());
        broker.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
        await client.ExpectClosedAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_is_not_published_after_a_normal_disconnect_MQTT_3_1_2_10(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, version);
        await using var client = await broker.ConnectAsync("c", version, will: Will());
        await client.DisconnectAsync();
        await watcher.ExpectNothingAsync();
    }

    [Fact]
    public async Task V5_disconnect_with_will_message_0x04_publishes_the_will_MQTT_3_14_4_3()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, MqttProtocolVersion.V500);
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500, will: Will());
        await client.DisconnectAsync(ReasonCode.DisconnectWithWillMessage);
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, QualityOfService.AtLeastOnce)]
    [InlineData(MqttProtocolVersion.V500, QualityOfService.ExactlyOnce)]
    public async Task Will_qos_is_honoured_MQTT_3_1_2_14(MqttProtocolVersion version, QualityOfService qos)
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, version);
        await using var client = await broker.ConnectAsync("c", version, will: Will(qos));
        await client.DropAsync();
        var will = await watcher.ReceiveAsync<PublishPacket>();
        Assert.Equal(qos, will.QoS);
        Assert.NotEqual(0, will.PacketId);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_retain_stores_it_as_the_retained_message_MQTT_3_1_2_17(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, will: Will(QualityOfService.AtLeastOnce, retain: true));
        await client.DropAndWaitAsync();
        Assert.Equal(1, broker.Broker.Retained.Count);

        await using var later = await broker.ConnectAsync("later", version);
        await later.SubscribeAsync("will/#", QualityOfService.AtLeastOnce);
        var retained = await later.ReceiveAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal("gone"u8.ToArray(), retained.Payload.ToArray());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_is_published_on_takeover(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, version);
        await using var first = await broker.ConnectAsync("c", version, will: Will());
        await using var second = await broker.ConnectAsync("c", version);
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
        await second.DisconnectAsync();
        await watcher.ExpectNothingAsync();
    }

    [Fact]
    public async Task Will_is_published_once_only()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker, MqttProtocolVersion.V500);
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500, keepAlive: 2, will: Will());
        await client.DropAndWaitAsync();
        broker.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
        await watcher.ExpectNothingAsync();
    }
}
