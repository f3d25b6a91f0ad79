using System.Runtime.InteropServices;
using Manta.Broker.Persistence;

namespace Manta.Storage.Sqlite;

/// <summary>
/// Finds the operations of one batch that need not reach the database because a later operation
/// of the same batch undoes or supersedes them. The batch commits as one transaction, so only its
/// end state is ever visible on disk, and these rules leave that end state unchanged:
/// <list type="bullet">
/// <item>DeliveryAdded ... DeliveryRemoved of one delivery id (unique across clients): neither is applied. A
/// subscriber that acknowledges promptly thus costs the disk nothing.</item>
/// <item>DeliverySent / DeliveryReleased after a DeliveryAdded of the same batch: folded into the
/// insert (packet id set; released, the message dropped).</item>
/// <item>InboundQos2Added ... InboundQos2Removed of one (client, packet id): neither is applied.</item>
/// <item>RetainedSet of a topic followed by another RetainedSet or a RetainedRemoved of it: the
/// earlier set is not applied (the removal still is: a row may exist from an earlier batch).</item>
/// </list>
/// A SessionRemoved between two operations of one client ends any pairing across it: the
/// operations before it are applied and then deleted by it, as they would be one by one. A second
/// DeliveryAdded / InboundQos2Added of a key that is still pending makes that key applied as
/// written (it should not happen; correctness over speed).
/// </summary>
internal sealed class BatchCoalescer
{
    /// <summary>The operation is not applied.</summary>
    public const byte Skip = 1;

    /// <summary>On a DeliveryAdded: insert it released (QoS 2 after PUBREC), without its message.</summary>
    public const byte Released = 2;

    // A key whose Added was seen twice: applied as written from then on.
    private const int Ambiguous = -1;

    private readonly Dictionary<long, int> _deliveries = [];
    private readonly Dictionary<(string ClientId, ushort PacketId), int> _inbound = [];
    private readonly Dictionary<string, int> _sessionRemovedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _retained = new(StringComparer.Ordinal);
    private byte[] _flags = new byte[1024];

    /// <summary>
    /// Flags each operation of <paramref name="batch"/> (see <see cref="Skip"/>, <see cref="Released"/>);
    /// may fold a packet id into a DeliveryAdded of the batch. Running it again on the same batch
    /// gives the same result (a failed batch is retried).
    /// </summary>
    public ReadOnlySpan<byte> Coalesce(Span<StoreOperation> batch)
    {
        if (_flags.Length < batch.Length)
        {
            _flags = new byte[Math.Max(batch.Length, _flags.Length * 2)];
        }

        var flags = _flags.AsSpan(0, batch.Length);
        flags.Clear();
        if (batch.Length < 2)
        {
            return flags;
        }

        for (var i = 0; i < batch.Length; i++)
        {
            ref readonly var operation = ref batch[i];
            switch (operation.Kind)
            {
                case StoreOperationKind.SessionRemoved:
                    _sessionRemovedAt[operation.ClientId] = i;
                    break;

                case StoreOperationKind.DeliveryAdded:
                    Added(_deliveries, operation.DeliveryId, operation.ClientId, i);
                    break;

                case StoreOperationKind.DeliverySent:
                    if (Pending(_deliveries, operation.DeliveryId, operation.ClientId, out var sent))
                    {
                        batch[sent] = batch[sent] with { PacketId = operation.PacketId };
                        flags[i] = Skip;
                    }

                    break;

                case StoreOperationKind.DeliveryReleased:
                    if (Pending(_deliveries, operation.DeliveryId, operation.ClientId, out var released))
                    {
                        flags[released] |= Released;
                        flags[i] = Skip;
                    }

                    break;

                case StoreOperationKind.DeliveryRemoved:
                    if (Removed(_deliveries, operation.DeliveryId, operation.ClientId, out var delivery))
                    {
                        flags[delivery] |= Skip;
                        flags[i] = Skip;
                    }

                    break;

                case StoreOperationKind.InboundQos2Added:
                    Added(_inbound, (operation.ClientId, operation.PacketId), operation.ClientId, i);
                    break;

                case StoreOperationKind.InboundQos2Removed:
                    if (Removed(_inbound, (operation.ClientId, operation.PacketId), operation.ClientId, out var inbound))
                    {
                        flags[inbound] |= Skip;
                        flags[i] = Skip;
                    }

                    break;

                case StoreOperationKind.RetainedSet:
                    ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_retained, operation.Message!.Topic, out var exists);
                    if (exists)
                    {
                        flags[slot] |= Skip;
                    }

                    slot = i;
                    break;

                case StoreOperationKind.RetainedRemoved:
                    if (_retained.Remove(operation.TopicFilter!, out var set))
                    {
                        flags[set] |= Skip;
                    }

                    break;
            }
        }

        Clear(_deliveries);
        Clear(_inbound);
        Clear(_sessionRemovedAt);
        Clear(_retained);
        return flags;
    }

    private static void Clear<TKey>(Dictionary<TKey, int> map)
        where TKey : notnull
    {
        if (map.Count > 0)
        {
            map.Clear();
        }
    }

    /// <summary>Remembers the Added at <paramref name="index"/>; a second one of a key still pending makes the key ambiguous.</summary>
    private void Added<TKey>(Dictionary<TKey, int> pending, TKey key, string clientId, int index)
        where TKey : notnull
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(pending, key, out var exists);
        slot = exists && (slot == Ambiguous || Live(clientId, slot)) ? Ambiguous : index;
    }

    /// <summary>True when the key's Added is pending in this batch, at <paramref name="index"/>.</summary>
    private bool Pending<TKey>(Dictionary<TKey, int> pending, TKey key, string clientId, out int index)
        where TKey : notnull
        => pending.TryGetValue(key, out index) && index != Ambiguous && Live(clientId, index);

    /// <summary>Forgets the key; true when its Added is pending in this batch (both can be skipped).</summary>
    private bool Removed<TKey>(Dictionary<TKey, int> pending, TKey key, string clientId, out int index)
        where TKey : notnull
        => pending.Remove(key, out index) && index != Ambiguous && Live(clientId, index);

    /// <summary>False when the session was removed after the operation at <paramref name="index"/>.</summary>
    private bool Live(string clientId, int index)
        => _sessionRemovedAt.Count == 0 || !_sessionRemovedAt.TryGetValue(clientId, out var removedAt) || removedAt < index;
}
