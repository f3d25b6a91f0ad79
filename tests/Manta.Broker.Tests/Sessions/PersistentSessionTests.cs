using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Sessions;

/// <summary>Session state kept across connections (3.1.2.4 / 4.1): subscriptions and QoS 1/2 messages (MQTT-3.1.2-5).</summary>
public sealed class PersistentSessionTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V310, MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    private static MqttProperties? Persistent(MqttProtocolVersion version)
        => version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 3600 } : null;

    private static async Task<PipeClient> ConnectPersistentAsync(TestBroker broker, MqttProtocolVersion version, string clientId, bool expectPresent)
    {
        var client = broker.NewClient(version);
        var ack = await client.ConnectAsync(clientId, cleanStart: false, properties: Persistent(version));
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        if (version != MqttProtocolVersion.V310)
        {
            Assert.Equal(expectPresent, ack.SessionPresent);
        }

        return client;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Subscriptions_survive_a_disconnect_MQTT_3_1_2_5(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using (var first = await ConnectPersistentAsync(broker, version, "c", expectPresent: false))
        {
            await first.SubscribeAsync("a/+", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var second = await ConnectPersistentAsync(broker, version, "c", expectPresent: true);
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("a/b", "hi", QualityOfService.AtLeastOnce);
        var delivered = await second.ReceiveAsync<PublishPacket>();
        Assert.Equal("a/b", delivered.Topic);
        Assert.Equal(QualityOfService.AtLeastOnce, delivered.QoS);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Qos1_and_qos2_messages_published_while_offline_are_delivered_on_reconnect_in_order_MQTT_3_1_2_5(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using (var first = await ConnectPersistentAsync(broker, version, "c", expectPresent: false))
        {
            await first.SubscribeAsync("t", QualityOfService.ExactlyOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", version);
        for (ushort i = 1; i <= 6; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", i % 2 == 0 ? QualityOfService.ExactlyOnce : QualityOfService.AtLeastOnce, i);
        }

        Assert.Equal(6, broker.Broker.Sessions.Find("c")!.QueuedCount);

        await using var second = await ConnectPersistentAsync(broker, version, "c", expectPresent: true);
        var deliveries = await second.ReceiveDeliveriesAsync(6);
        for (var i = 1; i <= 6; i++)
        {
            var delivered = deliveries[i - 1];
            Assert.Equal($"m{i}", Encoding.UTF8.GetString(delivered.Payload.Span));
            Assert.Equal(i % 2 == 0 ? QualityOfService.ExactlyOnce : QualityOfService.AtLeastOnce, delivered.QoS);
            Assert.False(delivered.Dup);
            Assert.NotEqual(0, delivered.PacketId);
        }

        await second.ExpectNothingAsync();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Qos0_messages_published_while_offline_are_not_queued(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using (var first = await ConnectPersistentAsync(broker, version, "c", expectPresent: false))
        {
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("t", "q0");
        await publisher.PublishAndAckAsync("t", "q1", QualityOfService.AtLeastOnce);

        await using var second = await ConnectPersistentAsync(broker, version, "c", expectPresent: true);
        var delivered = await second.ReceivePublishAndAckAsync();
        Assert.Equal("q1", Encoding.UTF8.GetString(delivered.Payload.Span));
        await second.ExpectNothingAsync();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Clean_start_discards_the_old_session_MQTT_3_1_2_4(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using (var first = await ConnectPersistentAsync(broker, version, "c", expectPresent: false))
        {
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "queued", QualityOfService.AtLeastOnce);

        await using var second = broker.NewClient(version);
        var ack = await second.ConnectAsync("c", cleanStart: true);
        Assert.False(ack.SessionPresent);
        await second.ExpectNothingAsync();

        await publisher.PublishAndAckAsync("t", "later", QualityOfService.AtLeastOnce, 2);
        await second.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Index.Count);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Clean_session_1_ends_the_session_at_disconnect_MQTT_3_1_2_6(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using (var first = await broker.ConnectAsync("c", version, cleanStart: true))
        {
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DisconnectAsync();
        }

        Assert.Null(broker.Broker.Sessions.Find("c"));
        Assert.Equal(0, broker.Broker.Index.Count);
        await using var second = broker.NewClient(version);
        Assert.False((await second.ConnectAsync("c", cleanStart: false)).SessionPresent);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Persistent_3x_session_survives_a_long_absence(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var props = version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = uint.MaxValue } : null;
        await using (var first = broker.NewClient(version))
        {
            await first.ConnectAsync("c", cleanStart: false, properties: props);
            await first.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await first.DropAndWaitAsync();
        }

        broker.Advance(TimeSpan.FromDays(30));
        await using var second = broker.NewClient(version);
        Assert.True((await second.ConnectAsync("c", cleanStart: false, properties: props)).SessionPresent);
    }
}
