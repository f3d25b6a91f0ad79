using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Wills;

/// <summary>v5 Will Delay Interval (3.1.3.2.2): the will waits; a resumed session cancels it (MQTT-3.1.3-9).</summary>
public sealed class WillDelayTests
{
    private const MqttProtocolVersion V5 = MqttProtocolVersion.V500;

    private static WillMessage Will(uint delay) => new()
    {
        Topic = "will/c",
        Payload = "gone"u8.ToArray(),
        Properties = new MqttProperties { WillDelayInterval = delay },
    };

    private static MqttProperties Expiry(uint seconds) => new() { SessionExpiryInterval = seconds };

    private static async Task<PipeClient> WatcherAsync(TestBroker broker)
    {
        var watcher = await broker.ConnectAsync("watcher", V5);
        await watcher.SubscribeAsync("will/#");
        return watcher;
    }

    [Fact]
    public async Task Will_is_published_after_the_delay()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker);
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, will: Will(30), properties: Expiry(300));
        await client.DropAndWaitAsync();

        broker.Advance(TimeSpan.FromSeconds(29));
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task Resuming_the_session_within_the_delay_cancels_the_will_MQTT_3_1_3_9()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker);
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, will: Will(30), properties: Expiry(300));
        await client.DropAndWaitAsync();

        broker.Advance(TimeSpan.FromSeconds(10));
        await using var resumed = broker.NewClient(V5);
        Assert.True((await resumed.ConnectAsync("c", cleanStart: false, properties: Expiry(300))).SessionPresent);
        broker.Advance(TimeSpan.FromSeconds(60));
        await watcher.ExpectNothingAsync();
    }

    [Fact]
    public async Task Will_is_published_when_the_session_expires_before_the_delay_MQTT_3_1_3_9()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker);
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, will: Will(600), properties: Expiry(20));
        await client.DropAndWaitAsync();

        broker.Advance(TimeSpan.FromSeconds(10));
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        broker.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task Will_with_delay_and_session_expiry_0_is_published_at_once()
    {
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker);
        await using var client = await broker.ConnectAsync("c", V5, will: Will(60));
        await client.DropAsync();
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task New_connection_with_clean_start_publishes_the_pending_will()
    {
        // A clean start ends the old session, and the session's end publishes its will (3.1.3.2.2).
        await using var broker = new TestBroker();
        await using var watcher = await WatcherAsync(broker);
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, will: Will(60), properties: Expiry(300));
        await client.DropAndWaitAsync();
        await using var fresh = broker.NewClient(V5);
        Assert.False((await fresh.ConnectAsync("c", cleanStart: true)).SessionPresent);
        Assert.Equal("will/c", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }
}
