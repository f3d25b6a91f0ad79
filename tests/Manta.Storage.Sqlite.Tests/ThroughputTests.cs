using System.Diagnostics;
using Manta.Broker.Messages;
using Manta.Storage.Sqlite.Tests.Support;
using Xunit.Abstractions;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>
/// Rough figures for a report, not a benchmark and not an assertion on speed (durability "sync",
/// a real file in the temp directory): the commit latency of the disk, the writer's rate for the
/// life of a QoS 1 delivery (added, sent, removed) when the acknowledgement lands in the batch of
/// the add (coalesced) and when each step is applied, and a fan-in where publishers wait for
/// durability with a window of messages in flight, as the broker's PUBACK does.
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    private const int Deliveries = 100_000;

    [Fact]
    public async Task Delivery_lifecycle_rates_are_reported()
    {
        using var directory = new TempDirectory();
        await using var store = Stores.Open(directory.File());
        store.Load();
        store.Write(Ops.SessionSaved("sub"));
        await store.WhenDurableAsync(store.Position);
        var message = Messages.Create("plant/7/telemetry", new byte[64]);

        // One operation at a time: what one commit (write + fsync) costs on this disk.
        const int Single = 20;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Single; i++)
        {
            store.Write(Ops.SessionSaved("sub"));
            await store.WhenDurableAsync(store.Position);
        }

        output.WriteLine($"commit latency: {clock.Elapsed.TotalMilliseconds / Single:F2} ms");

        // Coalesced: add, sent, removed follow each other, as with a subscriber that acknowledges promptly.
        long id = 0;
        var before = Snapshot(store);
        clock.Restart();
        for (var i = 0; i < Deliveries; i++)
        {
            Lifecycle(store, message, ++id);
        }

        await store.WhenDurableAsync(store.Position);
        Report("coalesced lifecycle", 3 * Deliveries, clock.Elapsed, before, Snapshot(store));

        // Applied: every add is committed before it is sent, every send before it is removed.
        var first = id + 1;
        before = Snapshot(store);
        clock.Restart();
        for (var i = 0; i < Deliveries; i++)
        {
            message.AddReference();
            store.Write(Ops.DeliveryAdded("sub", ++id, message));
        }

        await store.WhenDurableAsync(store.Position);
        var added = clock.Elapsed;
        for (var d = first; d <= id; d++)
        {
            store.Write(Ops.DeliverySent("sub", d, (ushort)(d & 0xFFFF | 1)));
        }

        await store.WhenDurableAsync(store.Position);
        var sent = clock.Elapsed;
        for (var d = first; d <= id; d++)
        {
            store.Write(Ops.DeliveryRemoved("sub", d));
        }

        await store.WhenDurableAsync(store.Position);
        Report("applied lifecycle", 3 * Deliveries, clock.Elapsed, before, Snapshot(store));
        output.WriteLine($"  inserts {Deliveries / added.TotalSeconds:F0}/s, updates {Deliveries / (sent - added).TotalSeconds:F0}/s, deletes {Deliveries / (clock.Elapsed - sent).TotalSeconds:F0}/s");

        // Fan-in: publishers with a window of messages awaiting PUBACK, which waits for durability.
        foreach (var (publishers, window) in new[] { (4, 256), (16, 256), (64, 16) })
        {
            before = Snapshot(store);
            clock.Restart();
            var perPublisher = Deliveries / publishers;
            var tasks = new Task[publishers];
            for (var p = 0; p < publishers; p++)
            {
                var client = $"sub{p}";

                // Delivery ids are unique across clients: each publisher numbers its own range.
                var firstId = id + 1 + (p * (long)perPublisher);
                tasks[p] = Task.Run(async () =>
                {
                    var inFlight = new Queue<long>(window);
                    for (var i = firstId; i < firstId + perPublisher; i++)
                    {
                        if (inFlight.Count == window)
                        {
                            await store.WhenDurableAsync(inFlight.Dequeue());
                        }

                        message.AddReference();
                        store.Write(Ops.DeliveryAdded(client, i, message));
                        inFlight.Enqueue(store.Position);
                        store.Write(Ops.DeliverySent(client, i, (ushort)(i & 0xFFFF | 1)));
                        store.Write(Ops.DeliveryRemoved(client, i));
                    }

                    while (inFlight.Count > 0)
                    {
                        await store.WhenDurableAsync(inFlight.Dequeue());
                    }
                });
            }

            await Task.WhenAll(tasks);
            id += (long)perPublisher * publishers;
            Report($"fan-in {publishers} publishers x {window} in flight", 3 * perPublisher * publishers, clock.Elapsed, before, Snapshot(store));
        }

        message.Release();
        Assert.Equal(0, store.StoredDeliveries);
    }

    private static void Lifecycle(SqliteSessionStore store, MqttMessage message, long id)
    {
        message.AddReference();
        store.Write(Ops.DeliveryAdded("sub", id, message));
        store.Write(Ops.DeliverySent("sub", id, (ushort)(id & 0xFFFF | 1)));
        store.Write(Ops.DeliveryRemoved("sub", id));
    }

    private static (long Commits, long Coalesced, long Applied) Snapshot(SqliteSessionStore store)
        => (store.Commits, store.CoalescedOperations, store.CommittedOperations);

    private void Report(string what, int operations, TimeSpan elapsed, (long Commits, long Coalesced, long Applied) before, (long Commits, long Coalesced, long Applied) after)
        => output.WriteLine(
            $"{what}: {operations} operations in {elapsed.TotalMilliseconds:F0} ms = {operations / elapsed.TotalSeconds:F0} operations/s "
            + $"({operations / 3 / elapsed.TotalSeconds:F0} deliveries/s); {after.Commits - before.Commits} commits, "
            + $"{after.Coalesced - before.Coalesced} coalesced, {after.Applied - before.Applied} applied");
}
