using Manta.Broker.Persistence;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Storage.Sqlite.Tests.Support;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>What is written comes back, field for field and in order, after the store is reopened.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public async Task Everything_written_is_loaded_again_after_reopening()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var messageProperties = new MqttProperties
        {
            ContentType = "application/json",
            ResponseTopic = "replies/1",
            CorrelationData = [9, 8, 7],
            PayloadFormatIndicator = 1,
            UserProperties = [new("k", "v"), new("k", "w")],
        };
        var forwarded = Messages.ForwardedProperties(messageProperties);
        Assert.NotEmpty(forwarded);

        var willProperties = new MqttProperties
        {
            WillDelayInterval = 30,
            MessageExpiryInterval = 600,
            PayloadFormatIndicator = 1,
            ContentType = "text/plain",
            ResponseTopic = "will/replies",
            CorrelationData = [1, 2, 3, 4],
            UserProperties = [new("a", "1"), new("b", "ü")],
        };

        await using (var store = Stores.Open(path))
        {
            Assert.Empty(store.Load().Sessions);

            store.Write(Ops.SessionSaved("sensor-1", expiry: 3600, MqttProtocolVersion.V500, disconnectedAt: null));
            store.Write(Ops.SessionSaved("legacy", expiry: 60, MqttProtocolVersion.V311, disconnectedAt: 1_700_000_000_123));
            store.Write(Ops.SubscriptionSaved("sensor-1", new("plant/+/telemetry", QualityOfService.AtLeastOnce, NoLocal: true, RetainAsPublished: false, RetainHandling.SendAtSubscribe, Identifier: 7)));
            store.Write(Ops.SubscriptionSaved("sensor-1", new("$share/g/alerts/#", QualityOfService.ExactlyOnce, NoLocal: false, RetainAsPublished: true, RetainHandling.DoNotSend, Identifier: 0)));
            store.Write(Ops.SubscriptionSaved("legacy", new("a/b", QualityOfService.AtMostOnce, NoLocal: false, RetainAsPublished: false, RetainHandling.SendIfNewSubscription, Identifier: 268_435_455)));

            // Delivery ids are unique across sessions. Queued; sent straight away with a packet id; queued then sent; QoS 2 released.
            store.Write(Ops.DeliveryAdded("sensor-1", 1, Messages.Create("plant/1/telemetry", [1, 2, 3]), QualityOfService.AtLeastOnce, subscriptionIds: [7, 9], expiresAt: 1_800_000_000_000));
            store.Write(Ops.DeliveryAdded("sensor-1", 2, Messages.Create("plant/2/telemetry", [], QualityOfService.ExactlyOnce, retain: true, properties: messageProperties), QualityOfService.ExactlyOnce, retain: true, subscriptionIds: [], packetId: 11));
            store.Write(Ops.DeliveryAdded("sensor-1", 3, Messages.Create("plant/3/telemetry", [0xFF]), QualityOfService.AtLeastOnce));
            await store.WhenDurableAsync(store.Position);
            store.Write(Ops.DeliverySent("sensor-1", 3, 12));
            store.Write(Ops.DeliveryAdded("legacy", 4, Messages.Create("a/b", [5], QualityOfService.ExactlyOnce), QualityOfService.ExactlyOnce, packetId: 1));
            await store.WhenDurableAsync(store.Position);
            store.Write(Ops.DeliveryReleased("legacy", 4));

            store.Write(Ops.InboundAdded("sensor-1", 40));
            store.Write(Ops.InboundAdded("sensor-1", 3));
            store.Write(Ops.WillSaved("sensor-1", new WillMessage { Topic = "status/sensor-1", Payload = [0x6F, 0x66, 0x66], QoS = QualityOfService.AtLeastOnce, Retain = true, Properties = willProperties }, dueAt: 1_700_000_030_000));
            store.Write(Ops.WillSaved("legacy", new WillMessage { Topic = "status/legacy", Payload = [], QoS = QualityOfService.AtMostOnce }, dueAt: 5));
            store.Write(Ops.RetainedSet(Messages.Create("status/b", [2], QualityOfService.AtLeastOnce, retain: true, properties: messageProperties), expiresAt: 1_900_000_000_000));
            store.Write(Ops.RetainedSet(Messages.Create("status/a", [1], QualityOfService.AtMostOnce, retain: true)));
            await store.WhenDurableAsync(store.Position);
            Assert.Equal(store.Position, store.DurablePosition);
        }

        var expected = new StoredState(
            [
                new StoredSession("sensor-1", 3600, MqttProtocolVersion.V500, null,
                    [
                        new("plant/+/telemetry", QualityOfService.AtLeastOnce, true, false, RetainHandling.SendAtSubscribe, 7),
                        new("$share/g/alerts/#", QualityOfService.ExactlyOnce, false, true, RetainHandling.DoNotSend, 0),
                    ],
                    [
                        new(1, new("plant/1/telemetry", [1, 2, 3], [], QualityOfService.AtLeastOnce, false, 1_800_000_000_000), QualityOfService.AtLeastOnce, false, [7, 9], 0, false),
                        new(2, new("plant/2/telemetry", [], forwarded, QualityOfService.ExactlyOnce, true, null), QualityOfService.ExactlyOnce, true, [], 11, false),
                        new(3, new("plant/3/telemetry", [0xFF], [], QualityOfService.AtLeastOnce, false, null), QualityOfService.AtLeastOnce, false, null, 12, false),
                    ],
                    [3, 40],
                    new StoredWill(new WillMessage { Topic = "status/sensor-1", Payload = [0x6F, 0x66, 0x66], QoS = QualityOfService.AtLeastOnce, Retain = true, Properties = willProperties }, 1_700_000_030_000)),
                new StoredSession("legacy", 60, MqttProtocolVersion.V311, 1_700_000_000_123,
                    [new("a/b", QualityOfService.AtMostOnce, false, false, RetainHandling.SendIfNewSubscription, 268_435_455)],
                    [new(4, null, QualityOfService.ExactlyOnce, false, null, 1, true)],
                    [],
                    new StoredWill(new WillMessage { Topic = "status/legacy", Payload = [], QoS = QualityOfService.AtMostOnce }, 5)),
            ],
            [
                new("status/a", [1], [], QualityOfService.AtMostOnce, true, null),
                new("status/b", [2], forwarded, QualityOfService.AtLeastOnce, true, 1_900_000_000_000),
            ]);

        var loaded = await Stores.ReloadAsync(path);
        Assert.Equal(StateText.Of(expected), StateText.Of(loaded));

        // A second reopen sees the same: opening migrates nothing and changes nothing.
        Assert.Equal(StateText.Of(expected), StateText.Of(await Stores.ReloadAsync(path)));
    }

    [Fact]
    public async Task Updates_replace_rows_and_keep_their_order()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("a", expiry: 10));
            store.Write(Ops.SessionSaved("b", expiry: 20));
            store.Write(Ops.SubscriptionSaved("a", new("x", QualityOfService.AtMostOnce, false, false, RetainHandling.SendAtSubscribe, 0)));
            store.Write(Ops.SubscriptionSaved("a", new("y", QualityOfService.AtMostOnce, false, false, RetainHandling.SendAtSubscribe, 0)));
            await store.WhenDurableAsync(store.Position);

            // The session disconnects; a subscription is replaced with other options; a will is replaced.
            store.Write(Ops.SessionSaved("a", expiry: 30, disconnectedAt: 99));
            store.Write(Ops.SubscriptionSaved("a", new("x", QualityOfService.ExactlyOnce, true, true, RetainHandling.DoNotSend, 5)));
            store.Write(Ops.WillSaved("b", new WillMessage { Topic = "w1", Payload = [1] }, 1));
            await store.WhenDurableAsync(store.Position);
            store.Write(Ops.WillSaved("b", new WillMessage { Topic = "w2", Payload = [2] }, 2));
            store.Write(Ops.SubscriptionRemoved("a", "y"));
            store.Write(Ops.SessionSaved("c"));
            store.Write(Ops.WillSaved("c", new WillMessage { Topic = "w3", Payload = [3] }, 3));
            await store.WhenDurableAsync(store.Position);
            store.Write(Ops.WillRemoved("c"));
        }

        var loaded = await Stores.ReloadAsync(path);
        Assert.Equal(
            """
            session a expiry=30 version=V500 disconnected=99
              subscription x qos=ExactlyOnce noLocal=True rap=True rh=DoNotSend id=5
            session b expiry=20 version=V500 disconnected=null
              will w2 payload=02 qos=AtMostOnce retain=False due=2 properties=null
            session c expiry=3600 version=V500 disconnected=null

            """.ReplaceLineEndings("\n"),
            StateText.Of(loaded).ReplaceLineEndings("\n"));
    }
}
