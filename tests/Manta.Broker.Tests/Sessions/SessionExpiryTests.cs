using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Sessions;

/// <summary>v5 Session Expiry Interval (3.1.2.11.2) and its change on DISCONNECT (3.14.2.2.2).</summary>
public sealed class SessionExpiryTests
{
    private const MqttProtocolVersion V5 = MqttProtocolVersion.V500;

    [Fact]
    public async Task Expiry_0_ends_the_session_at_disconnect_MQTT_3_1_2_23()
    {
        await using var broker = new TestBroker();
        await using (var first = broker.NewClient(V5))
        {
            await first.ConnectAsync("c", cleanStart: false);
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DropAndWaitAsync();
        }

        Assert.Null(broker.Broker.Sessions.Find("c"));
        Assert.Equal(0, broker.Broker.Index.Count);
        await using var second = broker.NewClient(V5);
        Assert.False((await second.ConnectAsync("c", cleanStart: false)).SessionPresent);
    }

    [Fact]
    public async Task Expiry_60_survives_59_seconds_MQTT_3_1_2_23()
    {
        await using var broker = new TestBroker();
        await using (var first = broker.NewClient(V5))
        {
            await first.ConnectAsync("c", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 60 });
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        broker.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(broker.Broker.Sessions.Find("c"));
        await using var second = broker.NewClient(V5);
        Assert.True((await second.ConnectAsync("c", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 60 })).SessionPresent);
    }

    [Fact]
    public async Task Expiry_60_is_gone_after_61_seconds()
    {
        await using var broker = new TestBroker();
        await using (var first = broker.NewClient(V5))
        {
            await first.ConnectAsync("c", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 60 });
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", V5);
        await publisher.PublishAndAckAsync("t", "queued", QualityOfService.AtLeastOnce);

        broker.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(broker.Broker.Sessions.Find("c"));
        Assert.Equal(0, broker.Broker.Index.Count);

        await using var second = broker.NewClient(V5);
        Assert.False((await second.ConnectAsync("c", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 60 })).SessionPresent);
        await second.ExpectNothingAsync();
    }

    [Fact]
    public async Task Clean_start_discards_a_session_with_expiry()
    {
        await using var broker = new TestBroker();
        await using (var first = broker.NewClient(V5))
        {
            await first.ConnectAsync("c", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 600 });
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var second = broker.NewClient(V5);
        Assert.False((await second.ConnectAsync("c", cleanStart: true, properties: new MqttProperties { SessionExpiryInterval = 600 })).SessionPresent);
        Assert.Equal(0, broker.Broker.Index.Count);
    }

    [Fact]
    public async Task Disconnect_raising_expiry_from_0_is_a_protocol_error_0x82_MQTT_3_14_2_2()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false);
        await client.SendAsync(new DisconnectPacket { Properties = new MqttProperties { SessionExpiryInterval = 300 } });
        var disconnect = await client.ReceiveAsync<DisconnectPacket>();
        Assert.Equal(ReasonCode.ProtocolError, disconnect.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }

    [Fact]
    public async Task Disconnect_can_lower_the_expiry_to_0_ending_the_session()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 600 });
        await client.SubscribeAsync("t");
        await client.DisconnectAsync(properties: new MqttProperties { SessionExpiryInterval = 0 });
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }

    [Fact]
    public async Task Disconnect_can_change_a_nonzero_expiry()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", V5, cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 10 });
        await client.DisconnectAsync(properties: new MqttProperties { SessionExpiryInterval = 100 });
        broker.Advance(TimeSpan.FromSeconds(50));
        Assert.NotNull(broker.Broker.Sessions.Find("c"));
        broker.Advance(TimeSpan.FromSeconds(51));
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }
}
