using System.Buffers;
using System.Buffers.Binary;
using Manta.Broker.Persistence;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Manta.Storage.Sqlite;

/// <summary>
/// Applies a batch of operations in one transaction with statements prepared once. Used by the
/// store's writer thread only.
/// </summary>
internal sealed class BatchWriter : IDisposable
{
    // Subscription identifiers up to this many are encoded on the stack.
    private const int StackIdentifiers = 64;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _database;
    private readonly ClientDeliveries _clientDeliveries = new();
    private readonly DeletionRuns _removed = new();
    private readonly PreparedStatement _begin;
    private readonly PreparedStatement _commit;
    private readonly PreparedStatement _rollback;
    private readonly PreparedStatement _saveSession;
    private readonly PreparedStatement[] _removeSession;
    private readonly PreparedStatement _saveSubscription;
    private readonly PreparedStatement _removeSubscription;
    private readonly PreparedStatement _addDelivery;
    private readonly PreparedStatement _sendDelivery;
    private readonly PreparedStatement _releaseDelivery;
    private readonly PreparedStatement _removeDelivery;
    private readonly PreparedStatement _removeDeliveries;
    private readonly PreparedStatement _addInbound;
    private readonly PreparedStatement _removeInbound;
    private readonly PreparedStatement _saveWill;
    private readonly PreparedStatement _removeWill;
    private readonly PreparedStatement _setRetained;
    private readonly PreparedStatement _removeRetained;
    private readonly ArrayBufferWriter<byte> _json = new(256);

    // A read of the tracked ids after a rollback failed: read them before the next transaction.
    private bool _reloadDeliveries;

    public BatchWriter(SqliteConnection connection)
    {
        _connection = connection;
        _database = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        if (raw.GetNativeLibraryName() != NativeSqlite.LibraryName)
        {
            // NativeSqlite calls e_sqlite3 directly: a handle of another SQLite library must not reach it.
            throw new InvalidOperationException($"SQLitePCLRaw uses the native library '{raw.GetNativeLibraryName()}'; Manta's store needs '{NativeSqlite.LibraryName}' (the Microsoft.Data.Sqlite bundle).");
        }

        _begin = new(_database, "BEGIN IMMEDIATE");
        _commit = new(_database, "COMMIT");
        _rollback = new(_database, "ROLLBACK");
        _saveSession = new(_database, """
            INSERT INTO sessions (client_id, expiry_interval, protocol_version, disconnected_at) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (client_id) DO UPDATE SET expiry_interval = excluded.expiry_interval,
                protocol_version = excluded.protocol_version, disconnected_at = excluded.disconnected_at
            """);
        _removeSession =
        [
            new(_database, "DELETE FROM sessions WHERE client_id = ?1"),
            new(_database, "DELETE FROM subscriptions WHERE client_id = ?1"),
            new(_database, "DELETE FROM inbound_qos2 WHERE client_id = ?1"),
            new(_database, "DELETE FROM wills WHERE client_id = ?1"),
        ];
        _saveSubscription = new(_database, """
            INSERT INTO subscriptions (client_id, filter, qos, no_local, retain_as_published, retain_handling, identifier)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (client_id, filter) DO UPDATE SET qos = excluded.qos, no_local = excluded.no_local,
                retain_as_published = excluded.retain_as_published, retain_handling = excluded.retain_handling,
                identifier = excluded.identifier
            """);
        _removeSubscription = new(_database, "DELETE FROM subscriptions WHERE client_id = ?1 AND filter = ?2");
        _addDelivery = new(_database, """
            INSERT OR REPLACE INTO deliveries (id, client_id, topic, payload, properties, message_qos, message_retain,
                expires_at, qos, retain, subscription_ids, packet_id, released)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
            """);
        _sendDelivery = new(_database, "UPDATE deliveries SET packet_id = ?2 WHERE id = ?1");
        _releaseDelivery = new(_database, "UPDATE deliveries SET released = 1, topic = NULL, payload = NULL, properties = NULL WHERE id = ?1");
        _removeDelivery = new(_database, "DELETE FROM deliveries WHERE id = ?1");
        _removeDeliveries = new(_database, "DELETE FROM deliveries WHERE id BETWEEN ?1 AND ?2");
        _addInbound = new(_database, "INSERT OR IGNORE INTO inbound_qos2 (client_id, packet_id) VALUES (?1, ?2)");
        _removeInbound = new(_database, "DELETE FROM inbound_qos2 WHERE client_id = ?1 AND packet_id = ?2");
        _saveWill = new(_database, """
            INSERT OR REPLACE INTO wills (client_id, topic, payload, qos, retain, properties, due_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """);
        _removeWill = new(_database, "DELETE FROM wills WHERE client_id = ?1");
        _setRetained = new(_database, """
            INSERT INTO retained (topic, payload, properties, qos, retain, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (topic) DO UPDATE SET payload = excluded.payload, properties = excluded.properties,
                qos = excluded.qos, retain = excluded.retain, expires_at = excluded.expires_at
            """);
        _removeRetained = new(_database, "DELETE FROM retained WHERE topic = ?1");
        StoredDeliveries = _clientDeliveries.Load(connection);
    }

    /// <summary>Delivery rows in the database when the writer was created.</summary>
    public long StoredDeliveries { get; }

    /// <summary>
    /// Applies every operation not flagged <see cref="BatchCoalescer.Skip"/> in one transaction and
    /// commits it. On failure nothing of the batch is kept (rolled back) and the exception is thrown.
    /// </summary>
    /// <returns>The change in the number of stored deliveries.</returns>
    public long Apply(ReadOnlySpan<StoreOperation> batch, ReadOnlySpan<byte> flags)
    {
        if (_reloadDeliveries)
        {
            _clientDeliveries.Load(_connection);
            _reloadDeliveries = false;
        }

        long deliveries = 0;
        _begin.Execute();
        try
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var flag = flags[i];
                if ((flag & BatchCoalescer.Skip) == 0)
                {
                    deliveries += Apply(in batch[i], flag);
                }
                else if (batch[i].Kind == StoreOperationKind.DeliveryRemoved)
                {
                    // Cancelled out in this batch: no row, but it may join two runs of removals.
                    _removed.Add(batch[i].DeliveryId, hasRow: false);
                }
            }

            if (_removed.HasRows)
            {
                deliveries -= _removed.Delete(this, static (writer, first, last) => writer.DeleteDeliveries(first, last));
            }
            else
            {
                _removed.Clear();
            }

            _commit.Execute();
        }
        catch
        {
            _removed.Clear();

            // A failed COMMIT (disk full, I/O error, busy) may leave the transaction open.
            if (raw.sqlite3_get_autocommit(_database) == 0)
            {
                try
                {
                    _rollback.Execute();
                }
                catch (SqliteException)
                {
                    // The original failure is the one worth reporting.
                }
            }

            // The tracked ids changed with the transaction that is gone; the database says what holds.
            try
            {
                _clientDeliveries.Load(_connection);
            }
            catch (SqliteException)
            {
                // Read again before the retry (a failed read leaves nothing tracked wrongly: it clears first).
                _reloadDeliveries = true;
            }

            throw;
        }

        return deliveries;
    }

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        _saveSession.Dispose();
        foreach (var statement in _removeSession)
        {
            statement.Dispose();
        }

        _saveSubscription.Dispose();
        _removeSubscription.Dispose();
        _addDelivery.Dispose();
        _sendDelivery.Dispose();
        _releaseDelivery.Dispose();
        _removeDelivery.Dispose();
        _removeDeliveries.Dispose();
        _addInbound.Dispose();
        _removeInbound.Dispose();
        _saveWill.Dispose();
        _removeWill.Dispose();
        _setRetained.Dispose();
        _removeRetained.Dispose();
    }

    private long Apply(in StoreOperation operation, byte flags)
    {
        switch (operation.Kind)
        {
            case StoreOperationKind.SessionSaved:
                _saveSession.BindText(1, operation.ClientId);
                _saveSession.Bind(2, operation.ExpiryInterval);
                _saveSession.Bind(3, (long)operation.ProtocolVersion);
                _saveSession.Bind(4, operation.DisconnectedAtUnixMs);
                _saveSession.Execute();
                return 0;

            case StoreOperationKind.SessionRemoved:
                RemoveSession(operation.ClientId);
                return 0;

            case StoreOperationKind.SubscriptionSaved:
                SaveSubscription(operation.ClientId, operation.Subscription!);
                return 0;

            case StoreOperationKind.SubscriptionRemoved:
                _removeSubscription.BindText(1, operation.ClientId);
                _removeSubscription.BindText(2, operation.TopicFilter!);
                _removeSubscription.Execute();
                return 0;

            case StoreOperationKind.DeliveryAdded:
                AddDelivery(in operation, released: (flags & BatchCoalescer.Released) != 0);
                return 1;

            case StoreOperationKind.DeliverySent:
                _sendDelivery.Bind(1, operation.DeliveryId);
                _sendDelivery.Bind(2, operation.PacketId);
                _sendDelivery.Execute();
                return 0;

            case StoreOperationKind.DeliveryReleased:
                _releaseDelivery.Bind(1, operation.DeliveryId);
                _releaseDelivery.Execute();
                return 0;

            case StoreOperationKind.DeliveryRemoved:
                // Deleted at the end of the batch, in runs (DeletionRuns).
                _clientDeliveries.Remove(operation.ClientId, operation.DeliveryId);
                _removed.Add(operation.DeliveryId, hasRow: true);
                return 0;

            case StoreOperationKind.InboundQos2Added:
                _addInbound.BindText(1, operation.ClientId);
                _addInbound.Bind(2, operation.PacketId);
                _addInbound.Execute();
                return 0;

            case StoreOperationKind.InboundQos2Removed:
                _removeInbound.BindText(1, operation.ClientId);
                _removeInbound.Bind(2, operation.PacketId);
                _removeInbound.Execute();
                return 0;

            case StoreOperationKind.WillSaved:
                SaveWill(in operation);
                return 0;

            case StoreOperationKind.WillRemoved:
                _removeWill.BindText(1, operation.ClientId);
                _removeWill.Execute();
                return 0;

            case StoreOperationKind.RetainedSet:
                SetRetained(in operation);
                return 0;

            case StoreOperationKind.RetainedRemoved:
                _removeRetained.BindText(1, operation.TopicFilter!);
                _removeRetained.Execute();
                return 0;

            default:
                return 0;
        }
    }

    private void RemoveSession(string clientId)
    {
        foreach (var statement in _removeSession)
        {
            statement.BindText(1, clientId);
            statement.Execute();
        }

        // Its deliveries go with the batch's other removals, in runs (an offline session's queue
        // is mostly consecutive ids). Counted when they are deleted.
        if (_clientDeliveries.Take(clientId) is { } ids)
        {
            foreach (var id in ids)
            {
                _removed.Add(id, hasRow: true);
            }
        }
    }

    private int DeleteDelivery(long id)
    {
        _removeDelivery.Bind(1, id);
        return _removeDelivery.Execute();
    }

    private int DeleteDeliveries(long first, long last)
    {
        if (first == last)
        {
            return DeleteDelivery(first);
        }

        _removeDeliveries.Bind(1, first);
        _removeDeliveries.Bind(2, last);
        return _removeDeliveries.Execute();
    }

    private void SaveSubscription(string clientId, StoredSubscription subscription)
    {
        var statement = _saveSubscription;
        statement.BindText(1, clientId);
        statement.BindText(2, subscription.TopicFilter);
        statement.Bind(3, (long)subscription.MaximumQoS);
        statement.Bind(4, subscription.NoLocal);
        statement.Bind(5, subscription.RetainAsPublished);
        statement.Bind(6, (long)subscription.RetainHandling);
        statement.Bind(7, subscription.Identifier);
        statement.Execute();
    }

    private void AddDelivery(in StoreOperation operation, bool released)
    {
        var statement = _addDelivery;
        statement.Bind(1, operation.DeliveryId);
        statement.BindText(2, operation.ClientId);
        _clientDeliveries.Add(operation.ClientId, operation.DeliveryId);
        var message = operation.Message;
        if (message is null || released)
        {
            statement.BindNull(3);
            statement.BindNull(4);
            statement.BindNull(5);
            statement.Bind(6, 0L);
            statement.Bind(7, false);
        }
        else
        {
            BindMessage(statement, 3, message);
        }

        statement.Bind(8, operation.MessageExpiresAtUnixMs);
        statement.Bind(9, (long)operation.QoS);
        statement.Bind(10, operation.Retain);
        BindIdentifiers(statement, 11, operation.SubscriptionIdentifiers);
        statement.Bind(12, operation.PacketId);
        statement.Bind(13, released);
        statement.Execute();
    }

    private void SaveWill(in StoreOperation operation)
    {
        var will = operation.Will!;
        var statement = _saveWill;
        statement.BindText(1, operation.ClientId);
        statement.BindText(2, will.Topic);
        statement.BindBlobOrNull(3, will.Payload);
        statement.Bind(4, (long)will.QoS);
        statement.Bind(5, will.Retain);
        if (will.Properties is { } properties)
        {
            _json.ResetWrittenCount();
            WillPropertiesJson.Write(properties, _json);
            statement.BindText(6, _json.WrittenSpan);
        }
        else
        {
            statement.BindNull(6);
        }

        statement.Bind(7, operation.WillDueAtUnixMs);
        statement.Execute();
    }

    private void SetRetained(in StoreOperation operation)
    {
        var statement = _setRetained;
        BindMessage(statement, 1, operation.Message!);
        statement.Bind(6, operation.MessageExpiresAtUnixMs);
        statement.Execute();
    }

    /// <summary>Binds a message as deliveries and retained rows both keep it: topic, payload, forwarded properties, QoS, retain, from <paramref name="first"/> on.</summary>
    private static void BindMessage(PreparedStatement statement, int first, Manta.Broker.Messages.MqttMessage message)
    {
        statement.BindText(first, message.TopicUtf8);
        statement.BindBlobOrNull(first + 1, message.Payload);
        statement.BindBlobOrNull(first + 2, message.ForwardedProperties);
        statement.Bind(first + 3, (long)message.QoS);
        statement.Bind(first + 4, message.Retain);
    }

    /// <summary>NULL for none; a zero-length blob for an empty array; else 4 bytes little-endian each.</summary>
    private static void BindIdentifiers(PreparedStatement statement, int index, uint[]? identifiers)
    {
        if (identifiers is null)
        {
            statement.BindNull(index);
            return;
        }

        if (identifiers.Length == 0)
        {
            statement.BindEmptyBlob(index);
            return;
        }

        var length = identifiers.Length * sizeof(uint);
        Span<byte> bytes = identifiers.Length <= StackIdentifiers ? stackalloc byte[StackIdentifiers * sizeof(uint)] : new byte[length];
        for (var i = 0; i < identifiers.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(i * sizeof(uint))..], identifiers[i]);
        }

        statement.BindBlobOrNull(index, bytes[..length]);
    }
}
