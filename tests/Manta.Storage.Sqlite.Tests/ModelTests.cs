using Manta.Broker.Persistence;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Storage.Sqlite.Tests.Support;

namespace Manta.Storage.Sqlite.Tests;

/// <summary>
/// Random sequences of operations, cut into batches at random (or all in one batch), end in the
/// state a plain model reaches by applying them one by one: coalescing never changes the outcome.
/// Seeds are fixed, so a failure reproduces.
/// </summary>
public sealed class ModelTests
{
    private static readonly string[] Clients = ["a", "b", "c"];
    private static readonly string[] Filters = ["x/#", "y/+", "$share/g/z"];
    private static readonly string[] Topics = ["r/1", "r/2", "r/3"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Random_operations_load_as_the_model_says(bool oneBatch)
    {
        for (var seed = 1; seed <= 25; seed++)
        {
            using var directory = new TempDirectory();
            var path = directory.File();
            var random = new Random(seed);
            var model = new Model();
            var store = oneBatch ? Stores.OneBatch(path) : Stores.Open(path);
            store.Load();
            for (var step = 0; step < 150; step++)
            {
                var operation = model.Next(random);
                model.Apply(operation);
                store.Write(operation);
                if (!oneBatch && random.Next(10) == 0)
                {
                    await store.WhenDurableAsync(store.Position);
                }
            }

            await store.DisposeAsync();
            var loaded = await Stores.ReloadAsync(path);
            Assert.True(StateText.Of(model.State()) == StateText.Of(loaded), $"seed {seed}:\nexpected\n{StateText.Of(model.State())}\nloaded\n{StateText.Of(loaded)}");
        }
    }

    /// <summary>What the store should hold, kept the simple way, and a generator of operations the broker could write.</summary>
    private sealed class Model
    {
        private readonly List<string> _sessions = [];
        private readonly Dictionary<string, (uint Expiry, long? Disconnected)> _sessionData = [];
        private readonly Dictionary<string, MqttProtocolVersion> _versions = [];
        private readonly List<(string Client, StoredSubscription Subscription)> _subscriptions = [];
        private readonly Dictionary<string, SortedDictionary<long, StoredDelivery>> _deliveries = [];
        private readonly Dictionary<string, SortedSet<ushort>> _inbound = [];
        private readonly Dictionary<string, StoredWill> _wills = [];
        private readonly SortedDictionary<string, StoredMessage> _retained = new(StringComparer.Ordinal);
        private long _nextDelivery = 1;

        public StoreOperation Next(Random random)
        {
            var client = Clients[random.Next(Clients.Length)];
            var deliveries = Deliveries(client);
            // A client only ever names its own deliveries, or one given earlier and gone (ids are never reused).
            long ExistingOrAny() => deliveries.Count > 0 && random.Next(4) > 0 ? deliveries.Keys.ElementAt(random.Next(deliveries.Count)) : Gone(random.Next(1, (int)_nextDelivery));
            switch (random.Next(20))
            {
                case 0:
                    return Ops.SessionSaved(client, (uint)random.Next(100), random.Next(2) == 0 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311, random.Next(2) == 0 ? null : random.Next(1000));
                case 1:
                    return random.Next(3) == 0 ? Ops.SessionRemoved(client) : Ops.SessionSaved(client);
                case 2:
                    return Ops.SubscriptionSaved(client, new(Filters[random.Next(Filters.Length)], (QualityOfService)random.Next(3), random.Next(2) == 0, random.Next(2) == 0, (RetainHandling)random.Next(3), (uint)random.Next(5)));
                case 3:
                    return Ops.SubscriptionRemoved(client, Filters[random.Next(Filters.Length)]);
                case 4 or 5 or 6 or 7:
                    // Delivery ids are unique across sessions and never reused (the broker's counter).
                    var id = _nextDelivery++;
                    var qos = (QualityOfService)random.Next(1, 3);
                    var payload = new byte[random.Next(3)];
                    random.NextBytes(payload);
                    uint[]? ids = random.Next(3) switch { 0 => null, 1 => [], _ => [(uint)random.Next(10), 7] };
                    return Ops.DeliveryAdded(client, id, Messages.Create($"t/{id}", payload, qos, random.Next(2) == 0), qos, random.Next(2) == 0, ids, (ushort)(random.Next(2) == 0 ? 0 : random.Next(1, 100)), random.Next(2) == 0 ? null : random.Next(1000));
                case 8 or 9:
                    return Ops.DeliverySent(client, ExistingOrAny(), (ushort)random.Next(1, 100));
                case 10:
                    return Ops.DeliveryReleased(client, ExistingOrAny());
                case 11 or 12 or 13:
                    return Ops.DeliveryRemoved(client, ExistingOrAny());
                case 14:
                    // An id the session does not hold yet (a held one is a duplicate the broker does not record).
                    var packetId = (ushort)random.Next(1, 5);
                    return Inbound(client).Contains(packetId) ? Ops.InboundRemoved(client, packetId) : Ops.InboundAdded(client, packetId);
                case 15:
                    return Ops.InboundRemoved(client, (ushort)random.Next(1, 5));
                case 16:
                    return random.Next(3) == 0
                        ? Ops.WillRemoved(client)
                        : Ops.WillSaved(client, new WillMessage { Topic = $"w/{client}", Payload = [(byte)random.Next(256)], QoS = (QualityOfService)random.Next(3), Retain = random.Next(2) == 0 }, random.Next(1000));
                case 17 or 18:
                    return Ops.RetainedSet(Messages.Create(Topics[random.Next(Topics.Length)], [(byte)random.Next(256)], (QualityOfService)random.Next(3), retain: true), random.Next(2) == 0 ? null : random.Next(1000));
                default:
                    return Ops.RetainedRemoved(Topics[random.Next(Topics.Length)]);
            }
        }

        /// <summary><paramref name="id"/> when it was given and no client holds it any more, else one that will never be given.</summary>
        private long Gone(long id) => id >= _nextDelivery || _deliveries.Values.Any(held => held.ContainsKey(id)) ? 1_000_000 + id : id;

        public void Apply(StoreOperation operation)
        {
            var client = operation.ClientId;
            switch (operation.Kind)
            {
                case StoreOperationKind.SessionSaved:
                    if (!_sessionData.ContainsKey(client))
                    {
                        _sessions.Add(client);
                    }

                    _sessionData[client] = (operation.ExpiryInterval, operation.DisconnectedAtUnixMs);
                    _versions[client] = operation.ProtocolVersion;
                    break;
                case StoreOperationKind.SessionRemoved:
                    _sessions.Remove(client);
                    _sessionData.Remove(client);
                    _subscriptions.RemoveAll(s => s.Client == client);
                    _deliveries.Remove(client);
                    _inbound.Remove(client);
                    _wills.Remove(client);
                    break;
                case StoreOperationKind.SubscriptionSaved:
                    var index = _subscriptions.FindIndex(s => s.Client == client && s.Subscription.TopicFilter == operation.Subscription!.TopicFilter);
                    if (index >= 0)
                    {
                        _subscriptions[index] = (client, operation.Subscription!);
                    }
                    else
                    {
                        _subscriptions.Add((client, operation.Subscription!));
                    }

                    break;
                case StoreOperationKind.SubscriptionRemoved:
                    _subscriptions.RemoveAll(s => s.Client == client && s.Subscription.TopicFilter == operation.TopicFilter);
                    break;
                case StoreOperationKind.DeliveryAdded:
                    var message = operation.Message!;
                    Deliveries(client)[operation.DeliveryId] = new StoredDelivery(
                        operation.DeliveryId,
                        new StoredMessage(message.Topic, message.Payload.ToArray(), message.ForwardedProperties.ToArray(), message.QoS, message.Retain, operation.MessageExpiresAtUnixMs),
                        operation.QoS,
                        operation.Retain,
                        operation.SubscriptionIdentifiers,
                        operation.PacketId,
                        false);
                    break;
                case StoreOperationKind.DeliverySent:
                    if (Deliveries(client).TryGetValue(operation.DeliveryId, out var sent))
                    {
                        Deliveries(client)[operation.DeliveryId] = sent with { PacketId = operation.PacketId };
                    }

                    break;
                case StoreOperationKind.DeliveryReleased:
                    if (Deliveries(client).TryGetValue(operation.DeliveryId, out var released))
                    {
                        Deliveries(client)[operation.DeliveryId] = released with { Released = true, Message = null };
                    }

                    break;
                case StoreOperationKind.DeliveryRemoved:
                    Deliveries(client).Remove(operation.DeliveryId);
                    break;
                case StoreOperationKind.InboundQos2Added:
                    Inbound(client).Add(operation.PacketId);
                    break;
                case StoreOperationKind.InboundQos2Removed:
                    Inbound(client).Remove(operation.PacketId);
                    break;
                case StoreOperationKind.WillSaved:
                    _wills[client] = new StoredWill(operation.Will!, operation.WillDueAtUnixMs);
                    break;
                case StoreOperationKind.WillRemoved:
                    _wills.Remove(client);
                    break;
                case StoreOperationKind.RetainedSet:
                    var retained = operation.Message!;
                    _retained[retained.Topic] = new StoredMessage(retained.Topic, retained.Payload.ToArray(), retained.ForwardedProperties.ToArray(), retained.QoS, retained.Retain, operation.MessageExpiresAtUnixMs);
                    break;
                case StoreOperationKind.RetainedRemoved:
                    _retained.Remove(operation.TopicFilter!);
                    break;
            }
        }

        public StoredState State()
        {
            var sessions = new List<StoredSession>();
            foreach (var client in _sessions)
            {
                var (expiry, disconnected) = _sessionData[client];
                sessions.Add(new StoredSession(
                    client,
                    expiry,
                    _versions[client],
                    disconnected,
                    [.. _subscriptions.Where(s => s.Client == client).Select(s => s.Subscription)],
                    [.. Deliveries(client).Values],
                    [.. Inbound(client)],
                    _wills.GetValueOrDefault(client)));
            }

            return new StoredState(sessions, [.. _retained.Values]);
        }

        private SortedDictionary<long, StoredDelivery> Deliveries(string client)
        {
            if (!_deliveries.TryGetValue(client, out var deliveries))
            {
                _deliveries[client] = deliveries = [];
            }

            return deliveries;
        }

        private SortedSet<ushort> Inbound(string client)
        {
            if (!_inbound.TryGetValue(client, out var inbound))
            {
                _inbound[client] = inbound = [];
            }

            return inbound;
        }
    }
}
