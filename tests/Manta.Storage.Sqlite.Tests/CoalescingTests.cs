using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Storage.Sqlite.Tests.Support;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>
/// Operations that a later operation of the same batch undoes never reach the database, and the
/// end state is the one of applying every operation one by one. <see cref="Stores.OneBatch"/>
/// makes everything written before DisposeAsync one batch.
/// </summary>
public sealed class CoalescingTests
{
    [Fact]
    public async Task Removals_of_one_batch_are_deleted_in_runs_that_leave_every_delivery_between_them()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("a"));
            store.Write(Ops.SessionSaved("b"));
            foreach (var id in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14 })
            {
                store.Write(Ops.DeliveryAdded(id % 2 == 0 ? "b" : "a", id, Messages.Create($"t/{id}", [(byte)id])));
            }

            await store.WhenDurableAsync(store.Position);
        }

        var batch = Stores.OneBatch(path);
        batch.Load();
        foreach (var id in new[] { 8, 1, 3, 2, 9, 5, 7 })
        {
            batch.Write(Ops.DeliveryRemoved(id % 2 == 0 ? "b" : "a", id));
        }

        // Added and removed in the batch: no rows. 11 and 12 start the run 11-14, whose rows
        // must go although its first ids have none.
        batch.Write(Ops.DeliveryAdded("a", 11, Messages.Create("t/11", [11])));
        batch.Write(Ops.DeliveryRemoved("a", 11));
        batch.Write(Ops.DeliveryAdded("b", 12, Messages.Create("t/12", [12])));
        batch.Write(Ops.DeliveryRemoved("b", 12));
        batch.Write(Ops.DeliveryRemoved("b", 14));
        batch.Write(Ops.DeliveryRemoved("a", 13));
        await batch.DisposeAsync();

        var loaded = await Stores.ReloadAsync(path);
        Assert.Equal([4L, 6L, 10L], loaded.Sessions.SelectMany(s => s.Deliveries).Select(d => d.Id).Order());
        Assert.Equal(3, Stores.Scalar(path, "SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task A_delivery_added_and_removed_in_one_batch_never_reaches_the_database()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var store = Stores.OneBatch(path);
        store.Load();
        store.Write(Ops.SessionSaved("sub"));
        for (var id = 1; id <= 100; id++)
        {
            store.Write(Ops.DeliveryAdded("sub", id, Messages.Create("t", [(byte)id])));
            store.Write(Ops.DeliverySent("sub", id, (ushort)id));
            store.Write(Ops.DeliveryRemoved("sub", id));
        }

        await store.DisposeAsync();

        Assert.Equal(300, store.CoalescedOperations);
        Assert.Equal(1, store.CommittedOperations);
        Assert.Equal(0, store.StoredDeliveries);
        Assert.Equal(0, Stores.Scalar(path, "SELECT count(*) FROM deliveries"));
        Assert.Equal("session sub expiry=3600 version=V500 disconnected=null\n", StateText.Of(await Stores.ReloadAsync(path)));
    }

    [Fact]
    public async Task A_removal_of_a_delivery_committed_earlier_deletes_it()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.SessionSaved("sub"));
            store.Write(Ops.DeliveryAdded("sub", 1, Messages.Create("t", [1])));
            store.Write(Ops.DeliveryAdded("sub", 2, Messages.Create("t", [2])));
            await store.WhenDurableAsync(store.Position);
            Assert.Equal(2, store.StoredDeliveries);
            store.Write(Ops.DeliveryRemoved("sub", 1));
            await store.WhenDurableAsync(store.Position);
            Assert.Equal(1, store.StoredDeliveries);
        }

        var loaded = await Stores.ReloadAsync(path);
        Assert.Equal(new[] { 2L }, loaded.Sessions[0].Deliveries.Select(d => d.Id));
    }

    [Fact]
    public async Task Sent_and_released_fold_into_the_insert_of_the_same_batch()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var store = Stores.OneBatch(path);
        store.Load();
        store.Write(Ops.SessionSaved("sub"));
        store.Write(Ops.DeliveryAdded("sub", 1, Messages.Create("t/1", [1])));
        store.Write(Ops.DeliverySent("sub", 1, 77));
        store.Write(Ops.DeliveryAdded("sub", 2, Messages.Create("t/2", [2], QualityOfService.ExactlyOnce), QualityOfService.ExactlyOnce, packetId: 78));
        store.Write(Ops.DeliveryReleased("sub", 2));
        await store.DisposeAsync();

        Assert.Equal(2, store.CoalescedOperations);
        Assert.Equal(
            "session sub expiry=3600 version=V500 disconnected=null\n"
            + "  delivery 1 qos=AtLeastOnce retain=False ids=null packet=77 released=False message=(t/1 payload=01 properties= qos=AtLeastOnce retain=False expires=null)\n"
            + "  delivery 2 qos=ExactlyOnce retain=False ids=null packet=78 released=True message=none\n",
            StateText.Of(await Stores.ReloadAsync(path)));
    }

    [Fact]
    public async Task An_inbound_qos2_id_added_and_removed_in_one_batch_never_reaches_the_database()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var store = Stores.OneBatch(path);
        store.Load();
        store.Write(Ops.SessionSaved("pub"));
        store.Write(Ops.InboundAdded("pub", 1));
        store.Write(Ops.InboundRemoved("pub", 1));
        store.Write(Ops.InboundAdded("pub", 1));
        store.Write(Ops.InboundAdded("pub", 2));
        store.Write(Ops.InboundRemoved("pub", 2));
        await store.DisposeAsync();

        Assert.Equal(4, store.CoalescedOperations);
        Assert.Equal(new[] { (ushort)1 }, (await Stores.ReloadAsync(path)).Sessions[0].InboundQos2);
    }

    [Fact]
    public async Task Only_the_last_retained_message_of_a_topic_in_a_batch_is_written()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            store.Write(Ops.RetainedSet(Messages.Create("gone", [0], retain: true)));
            await store.WhenDurableAsync(store.Position);
        }

        var batch = Stores.OneBatch(path);
        batch.Load();
        batch.Write(Ops.RetainedSet(Messages.Create("kept", [1], retain: true)));
        batch.Write(Ops.RetainedSet(Messages.Create("kept", [2], retain: true)));
        batch.Write(Ops.RetainedSet(Messages.Create("gone", [3], retain: true)));
        batch.Write(Ops.RetainedRemoved("gone"));
        batch.Write(Ops.RetainedSet(Messages.Create("kept", [4], retain: true)));
        await batch.DisposeAsync();

        // The two earlier sets of "kept" and the set of "gone"; the removal of "gone" still runs
        // (it deletes the row of the first store).
        Assert.Equal(3, batch.CoalescedOperations);
        Assert.Equal(
            "retained (kept payload=04 properties= qos=AtLeastOnce retain=True expires=null)\n",
            StateText.Of(await Stores.ReloadAsync(path)));
    }

    [Fact]
    public async Task A_session_removed_in_between_ends_the_pairing_of_its_operations()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        var store = Stores.OneBatch(path);
        store.Load();

        // The first delivery 1 is applied, then deleted with the session; the new session's
        // delivery 1 is added and removed in the batch; its delivery 2 stays.
        store.Write(Ops.SessionSaved("c"));
        store.Write(Ops.DeliveryAdded("c", 1, Messages.Create("old", [1])));
        store.Write(Ops.SessionRemoved("c"));
        store.Write(Ops.DeliveryRemoved("c", 1));
        store.Write(Ops.SessionSaved("c", expiry: 5));
        store.Write(Ops.DeliveryAdded("c", 1, Messages.Create("new", [2])));
        store.Write(Ops.DeliverySent("c", 1, 9));
        store.Write(Ops.DeliveryRemoved("c", 1));
        store.Write(Ops.DeliveryAdded("c", 2, Messages.Create("new", [3])));

        // An inbound id from before a session removal does not pair with a removal after it.
        store.Write(Ops.SessionSaved("d"));
        store.Write(Ops.InboundAdded("d", 4));
        store.Write(Ops.SessionRemoved("d"));
        store.Write(Ops.SessionSaved("d", expiry: 6));
        store.Write(Ops.InboundRemoved("d", 4));
        store.Write(Ops.InboundAdded("d", 4));
        await store.DisposeAsync();

        Assert.Equal(
            "session c expiry=5 version=V500 disconnected=null\n"
            + "  delivery 2 qos=AtLeastOnce retain=False ids=null packet=0 released=False message=(new payload=03 properties= qos=AtLeastOnce retain=False expires=null)\n"
            + "session d expiry=6 version=V500 disconnected=null\n"
            + "  inbound 4\n",
            StateText.Of(await Stores.ReloadAsync(path)));
        Assert.Equal(1, Stores.Scalar(path, "SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task Removing_a_session_removes_its_rows_from_every_table()
    {
        using var directory = new TempDirectory();
        var path = directory.File();
        await using (var store = Stores.Open(path))
        {
            store.Load();
            long id = 0;
            foreach (var client in new[] { "gone", "kept" })
            {
                store.Write(Ops.SessionSaved(client));
                store.Write(Ops.SubscriptionSaved(client, new("a/#", QualityOfService.AtLeastOnce, false, false, RetainHandling.SendAtSubscribe, 1)));
                store.Write(Ops.DeliveryAdded(client, ++id, Messages.Create("a/1", [1])));
                store.Write(Ops.DeliveryAdded(client, ++id, Messages.Create("a/2", [2]), packetId: 3));
                store.Write(Ops.InboundAdded(client, 8));
                store.Write(Ops.WillSaved(client, new WillMessage { Topic = "w", Payload = [1] }, 10));
            }

            await store.WhenDurableAsync(store.Position);
            Assert.Equal(4, store.StoredDeliveries);
            store.Write(Ops.SessionRemoved("gone"));
            await store.WhenDurableAsync(store.Position);
            Assert.Equal(2, store.StoredDeliveries);
        }

        foreach (var table in new[] { "sessions", "subscriptions", "deliveries", "inbound_qos2", "wills" })
        {
            Assert.Equal(0, Stores.Scalar(path, $"SELECT count(*) FROM {table} WHERE client_id = 'gone'"));
            Assert.NotEqual(0, Stores.Scalar(path, $"SELECT count(*) FROM {table} WHERE client_id = 'kept'"));
        }

        var loaded = await Stores.ReloadAsync(path);
        Assert.Equal("kept", Assert.Single(loaded.Sessions).ClientId);
    }

    [Fact]
    public async Task Every_message_handed_to_the_store_is_released_exactly_once()
    {
        using var directory = new TempDirectory();
        var messages = new List<Manta.Broker.Messages.MqttMessage>();
        Manta.Broker.Messages.MqttMessage Held(string topic)
        {
            var message = Messages.Create(topic, [1], retain: true);
            message.AddReference(); // the test's own reference, on top of the store's
            messages.Add(message);
            return message;
        }

        var store = Stores.OneBatch(directory.File());
        store.Load();
        store.Write(Ops.SessionSaved("c"));
        store.Write(Ops.DeliveryAdded("c", 1, Held("coalesced")));
        store.Write(Ops.DeliveryRemoved("c", 1));
        store.Write(Ops.DeliveryAdded("c", 2, Held("stored")));
        store.Write(Ops.DeliveryAdded("c", 3, Held("released")));
        store.Write(Ops.DeliveryReleased("c", 3));
        store.Write(Ops.RetainedSet(Held("r")));
        store.Write(Ops.RetainedSet(Held("r")));
        await store.DisposeAsync();

        foreach (var message in messages)
        {
            message.Release(); // the last reference: the store gave its own back
            Assert.Throws<InvalidOperationException>(message.Release);
        }
    }

    [Fact]
    public async Task Writing_after_dispose_is_refused_and_the_message_released()
    {
        using var directory = new TempDirectory();
        var store = Stores.Open(directory.File());
        await store.DisposeAsync();
        var message = Messages.Create("t", [1]);
        message.AddReference();
        Assert.Throws<ObjectDisposedException>(() => store.Write(Ops.DeliveryAdded("c", 1, message)));
        message.Release();
        Assert.Throws<InvalidOperationException>(message.Release);
    }

    [Fact]
    public async Task An_operation_without_the_fields_its_kind_needs_is_refused()
    {
        using var directory = new TempDirectory();
        await using var store = Stores.Open(directory.File());
        Assert.Throws<ArgumentException>(() => store.Write(new() { Kind = Manta.Broker.Persistence.StoreOperationKind.SubscriptionSaved, ClientId = "c" }));
        Assert.Throws<ArgumentException>(() => store.Write(new() { Kind = Manta.Broker.Persistence.StoreOperationKind.SessionSaved }));
        Assert.Throws<ArgumentException>(() => store.Write(new() { Kind = Manta.Broker.Persistence.StoreOperationKind.RetainedRemoved }));
        Assert.Equal(0, store.Position);
    }
}
