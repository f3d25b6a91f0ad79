using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Manta.Broker.Tests.Persistence;

/// <summary>
/// The broker over a real SQLite store, restarted: a new broker on the same database file gets
/// back persistent sessions, their subscriptions, queued and inflight deliveries, inbound QoS 2
/// ids, retained messages and delayed wills; clean sessions and expired ones are gone.
/// (Process-level kill -9 tests are in Manta.Server.Tests/Durability.)
/// </summary>
public sealed class RestartTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "manta-restart-" + Guid.NewGuid().ToString("N"));
    private FakeTimeProvider? _time;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Qos1_messages_queued_for_an_offline_session_come_back_in_order()
    {
        await using (var first = await StartAsync())
        {
            await ParkAsync(first.Broker, "s", "t", QualityOfService.AtLeastOnce);
            await using var publisher = await first.Broker.ConnectAsync("p");
            for (ushort id = 1; id <= 20; id++)
            {
                Assert.Equal(ReasonCode.Success, await publisher.PublishAndAckAsync("t", $"m{id}", QualityOfService.AtLeastOnce, id));
            }
        }

        await using var second = await StartAsync();
        await using var subscriber = second.Broker.NewClient();
        Assert.True((await subscriber.ConnectAsync("s", cleanStart: false)).SessionPresent);
        var received = await subscriber.ReceiveDeliveriesAsync(20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"m{i}"), received.Select(Text));
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Deliveries_queued_after_a_restart_do_not_take_the_place_of_restored_ones()
    {
        // Delivery ids are unique across sessions and the store keys rows by them: the ids of the
        // second run must continue after those of the first, for every session.
        await using (var first = await StartAsync())
        {
            await ParkAsync(first.Broker, "s1", "t", QualityOfService.AtLeastOnce);
            await ParkAsync(first.Broker, "s2", "t", QualityOfService.AtLeastOnce);
            await using var publisher = await first.Broker.ConnectAsync("p");
            for (ushort id = 1; id <= 3; id++)
            {
                await publisher.PublishAndAckAsync("t", $"first{id}", QualityOfService.AtLeastOnce, id);
            }
        }

        await using (var second = await StartAsync())
        {
            await using var publisher = await second.Broker.ConnectAsync("p");
            for (ushort id = 1; id <= 3; id++)
            {
                await publisher.PublishAndAckAsync("t", $"second{id}", QualityOfService.AtLeastOnce, id);
            }
        }

        await using var third = await StartAsync();
        string[] expected = ["first1", "first2", "first3", "second1", "second2", "second3"];
        foreach (var clientId in new[] { "s1", "s2" })
        {
            await using var subscriber = third.Broker.NewClient();
            await subscriber.ConnectAsync(clientId, cleanStart: false);
            Assert.Equal(expected, (await subscriber.ReceiveDeliveriesAsync(6)).Select(Text));
            await subscriber.ExpectNothingAsync();
        }
    }

    [Fact]
    public async Task An_unacknowledged_delivery_is_resent_with_dup_and_its_packet_id()
    {
        ushort packetId;
        await using (var first = await StartAsync())
        {
            await using var subscriber = first.Broker.NewClient();
            await subscriber.ConnectAsync("s", cleanStart: false);
            await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await using var publisher = await first.Broker.ConnectAsync("p");
            await publisher.PublishAndAckAsync("t", "once", QualityOfService.AtLeastOnce, 1);
            var delivery = await subscriber.ReceiveAsync<PublishPacket>();
            packetId = delivery.PacketId;
        }

        await using var second = await StartAsync();
        await using var again = second.Broker.NewClient();
        await again.ConnectAsync("s", cleanStart: false);
        var resent = await again.ReceiveAsync<PublishPacket>();
        Assert.True(resent.Dup);
        Assert.Equal(packetId, resent.PacketId);
        Assert.Equal("once", Text(resent));
    }

    [Fact]
    public async Task A_qos2_publish_resent_after_a_restart_is_not_delivered_twice()
    {
        await using (var first = await StartAsync())
        {
            await ParkAsync(first.Broker, "s", "t", QualityOfService.ExactlyOnce);
            await using var publisher = first.Broker.NewClient();
            await publisher.ConnectAsync("p", cleanStart: false);
            await publisher.PublishAsync("t", "exactly", QualityOfService.ExactlyOnce, packetId: 7);
            Assert.Equal(7, (await publisher.ReceiveAsync<PubRecPacket>()).PacketId);
        }

        await using var second = await StartAsync();
        await using var resend = second.Broker.NewClient();
        Assert.True((await resend.ConnectAsync("p", cleanStart: false)).SessionPresent);
        await resend.SendAsync(new PublishPacket { Topic = "t", Payload = "exactly"u8.ToArray(), QoS = QualityOfService.ExactlyOnce, PacketId = 7, Dup = true });
        Assert.Equal(7, (await resend.ReceiveAsync<PubRecPacket>()).PacketId);
        await resend.SendAsync(new PubRelPacket { PacketId = 7 });
        Assert.Equal(7, (await resend.ReceiveAsync<PubCompPacket>()).PacketId);

        await using var subscriber = second.Broker.NewClient();
        await subscriber.ConnectAsync("s", cleanStart: false);
        Assert.Equal(["exactly"], (await subscriber.ReceiveDeliveriesAsync(1)).Select(Text));
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Subscription_options_and_identifiers_survive()
    {
        await using (var first = await StartAsync())
        {
            await using var subscriber = first.Broker.NewClient(MqttProtocolVersion.V500);
            await subscriber.ConnectAsync("s", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });
            await subscriber.SubscribeAsync(new TopicSubscription { TopicFilter = "a/+", MaximumQoS = QualityOfService.AtLeastOnce, NoLocal = true }, properties: new MqttProperties { SubscriptionIdentifiers = [42] });
            await subscriber.DisconnectAsync();
        }

        await using var second = await StartAsync();
        await using var back = second.Broker.NewClient(MqttProtocolVersion.V500);
        await back.ConnectAsync("s", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });
        await back.PublishAsync("a/own", "mine", QualityOfService.AtLeastOnce, packetId: 1);
        await back.ReceiveAsync<PubAckPacket>();
        await using var publisher = await second.Broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("a/b", "theirs", QualityOfService.AtLeastOnce, 1);
        var delivery = await back.ReceiveAsync<PublishPacket>();
        Assert.Equal("theirs", Text(delivery));
        Assert.Equal(new uint[] { 42 }, delivery.Properties!.SubscriptionIdentifiers);
        Assert.Equal(QualityOfService.AtLeastOnce, delivery.QoS);
    }

    [Fact]
    public async Task Retained_messages_and_their_deletion_survive()
    {
        await using (var first = await StartAsync())
        {
            await using var publisher = await first.Broker.ConnectAsync("p");
            await publisher.PublishAndAckAsync("r/kept", "value", QualityOfService.AtLeastOnce, 1, retain: true);
            await publisher.PublishAndAckAsync("r/gone", "old", QualityOfService.AtLeastOnce, 2, retain: true);
            await publisher.PublishAndAckAsync("r/gone", string.Empty, QualityOfService.AtLeastOnce, 3, retain: true);
        }

        await using var second = await StartAsync();
        await using var subscriber = await second.Broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("r/#", QualityOfService.AtLeastOnce);
        var retained = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.True(retained.Retain);
        Assert.Equal(("r/kept", "value"), (retained.Topic, Text(retained)));
        await subscriber.AckAsync(retained);
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task A_session_that_expired_while_the_broker_was_down_is_gone()
    {
        await using (var first = await StartAsync())
        {
            await using var subscriber = first.Broker.NewClient(MqttProtocolVersion.V500);
            await subscriber.ConnectAsync("short", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 10 });
            await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
            await subscriber.DisconnectAsync();
            await using var kept = first.Broker.NewClient(MqttProtocolVersion.V500);
            await kept.ConnectAsync("long", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 });
            await kept.DisconnectAsync();
        }

        _time!.Advance(TimeSpan.FromSeconds(30));
        await using var second = await StartAsync();
        await using var again = second.Broker.NewClient(MqttProtocolVersion.V500);
        Assert.False((await again.ConnectAsync("short", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 10 })).SessionPresent);
        await using var other = second.Broker.NewClient(MqttProtocolVersion.V500);
        Assert.True((await other.ConnectAsync("long", cleanStart: false, properties: new MqttProperties { SessionExpiryInterval = 3600 })).SessionPresent);
    }

    [Fact]
    public async Task A_delayed_will_survives_and_is_published_when_due()
    {
        await using (var first = await StartAsync())
        {
            await using var dying = first.Broker.NewClient(MqttProtocolVersion.V500);
            await dying.ConnectAsync(
                "dying",
                cleanStart: false,
                will: new WillMessage { Topic = "wills/dying", Payload = "gone"u8.ToArray(), QoS = QualityOfService.AtLeastOnce, Properties = new MqttProperties { WillDelayInterval = 30 } },
                properties: new MqttProperties { SessionExpiryInterval = 3600 });
            await dying.DropAndWaitAsync();
        }

        await using var second = await StartAsync();
        await using var watcher = await second.Broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync("wills/#", QualityOfService.AtLeastOnce);
        second.Advance(TimeSpan.FromSeconds(5));
        await watcher.ExpectNothingAsync();
        second.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("gone", Text(await watcher.ReceiveAsync<PublishPacket>()));
    }

    [Fact]
    public async Task A_clean_session_is_not_stored()
    {
        await using (var first = await StartAsync())
        {
            await using var subscriber = await first.Broker.ConnectAsync("clean");
            await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        }

        await using var second = await StartAsync();
        Assert.Equal(0, second.Broker.Broker.Index.Count);
        Assert.Null(second.Broker.Broker.Sessions.Find("clean"));
    }

    private static string Text(PublishPacket packet) => Encoding.UTF8.GetString(packet.Payload.Span);

    private static async Task ParkAsync(TestBroker broker, string clientId, string filter, QualityOfService qos)
    {
        await using var subscriber = broker.NewClient();
        await subscriber.ConnectAsync(clientId, cleanStart: false);
        await subscriber.SubscribeAsync(filter, qos);
        await subscriber.DisconnectAsync();
    }

    /// <summary>A broker on the test's database, on the clock of the brokers before it.</summary>
    private Task<Restartable> StartAsync()
    {
        var store = new SqliteSessionStore(new SqliteStoreOptions { Path = Path.Combine(_directory, "manta.db") }, NullLogger.Instance);
        var broker = new TestBroker(store: store, time: _time);
        _time = broker.Time;
        return Task.FromResult(new Restartable(broker, store));
    }

    /// <summary>A broker and its store, closed in that order.</summary>
    private sealed class Restartable(TestBroker broker, SqliteSessionStore store) : IAsyncDisposable
    {
        public TestBroker Broker { get; } = broker;

        public void Advance(TimeSpan by) => Broker.Advance(by);

        public async ValueTask DisposeAsync()
        {
            await Broker.DisposeAsync();
            await store.DisposeAsync();
        }
    }
}
