using System.Buffers.Binary;
using Manta.Broker.Persistence;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Microsoft.Data.Sqlite;

namespace Manta.Storage.Sqlite;

/// <summary>Reads the whole database into a <see cref="StoredState"/> (once, at start-up).</summary>
internal static class StoreLoader
{
    /// <summary>Reads everything; rows of clients without a session row are counted in <paramref name="orphans"/> and left out.</summary>
    public static StoredState Load(SqliteConnection connection, out int orphans, out int deliveries)
    {
        var sessions = new Dictionary<string, SessionRows>(StringComparer.Ordinal);
        var order = new List<SessionRows>();
        orphans = 0;
        deliveries = 0;
        long lastDeliveryId = 0;

        using (var command = Command(connection, "SELECT client_id, expiry_interval, protocol_version, disconnected_at FROM sessions ORDER BY rowid"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var session = new SessionRows(
                    reader.GetString(0),
                    (uint)reader.GetInt64(1),
                    (MqttProtocolVersion)reader.GetInt64(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3));
                sessions[session.ClientId] = session;
                order.Add(session);
            }
        }

        using (var command = Command(connection, "SELECT client_id, filter, qos, no_local, retain_as_published, retain_handling, identifier FROM subscriptions ORDER BY rowid"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!sessions.TryGetValue(reader.GetString(0), out var session))
                {
                    orphans++;
                    continue;
                }

                session.Subscriptions.Add(new StoredSubscription(
                    reader.GetString(1),
                    (QualityOfService)reader.GetInt64(2),
                    reader.GetInt64(3) != 0,
                    reader.GetInt64(4) != 0,
                    (RetainHandling)reader.GetInt64(5),
                    (uint)reader.GetInt64(6)));
            }
        }

        using (var command = Command(connection, """
            SELECT client_id, id, topic, payload, properties, message_qos, message_retain, expires_at, qos, retain,
                subscription_ids, packet_id, released
            FROM deliveries ORDER BY id
            """))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                // Ids increase within a session, so each session's list comes out in its order.
                lastDeliveryId = reader.GetInt64(1);
                if (!sessions.TryGetValue(reader.GetString(0), out var session))
                {
                    orphans++;
                    continue;
                }

                long? expiresAt = reader.IsDBNull(7) ? null : reader.GetInt64(7);
                var message = reader.IsDBNull(2)
                    ? null
                    : new StoredMessage(reader.GetString(2), Blob(reader, 3), Blob(reader, 4), (QualityOfService)reader.GetInt64(5), reader.GetInt64(6) != 0, expiresAt);
                session.Deliveries.Add(new StoredDelivery(
                    reader.GetInt64(1),
                    message,
                    (QualityOfService)reader.GetInt64(8),
                    reader.GetInt64(9) != 0,
                    Identifiers(reader, 10),
                    (ushort)reader.GetInt64(11),
                    reader.GetInt64(12) != 0));
                deliveries++;
            }
        }

        using (var command = Command(connection, "SELECT client_id, packet_id FROM inbound_qos2 ORDER BY client_id, packet_id"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!sessions.TryGetValue(reader.GetString(0), out var session))
                {
                    orphans++;
                    continue;
                }

                session.InboundQos2.Add((ushort)reader.GetInt64(1));
            }
        }

        using (var command = Command(connection, "SELECT client_id, topic, payload, qos, retain, properties, due_at FROM wills"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!sessions.TryGetValue(reader.GetString(0), out var session))
                {
                    orphans++;
                    continue;
                }

                var will = new WillMessage
                {
                    Topic = reader.GetString(1),
                    Payload = Blob(reader, 2),
                    QoS = (QualityOfService)reader.GetInt64(3),
                    Retain = reader.GetInt64(4) != 0,
                    Properties = reader.IsDBNull(5) ? null : WillPropertiesJson.Read(reader.GetString(5)),
                };
                session.Will = new StoredWill(will, reader.GetInt64(6));
            }
        }

        var retained = new List<StoredMessage>();
        using (var command = Command(connection, "SELECT topic, payload, properties, qos, retain, expires_at FROM retained ORDER BY topic"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                retained.Add(new StoredMessage(
                    reader.GetString(0),
                    Blob(reader, 1),
                    Blob(reader, 2),
                    (QualityOfService)reader.GetInt64(3),
                    reader.GetInt64(4) != 0,
                    reader.IsDBNull(5) ? null : reader.GetInt64(5)));
            }
        }

        var result = new List<StoredSession>(order.Count);
        foreach (var session in order)
        {
            result.Add(session.ToStored());
        }

        return new StoredState(result, retained, lastDeliveryId);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static byte[] Blob(SqliteDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    private static uint[]? Identifiers(SqliteDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        var bytes = reader.GetFieldValue<byte[]>(ordinal);
        var identifiers = new uint[bytes.Length / sizeof(uint)];
        for (var i = 0; i < identifiers.Length; i++)
        {
            identifiers[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * sizeof(uint)));
        }

        return identifiers;
    }

    /// <summary>One session's rows while they are read.</summary>
    private sealed class SessionRows(string clientId, uint expiryInterval, MqttProtocolVersion protocolVersion, long? disconnectedAt)
    {
        public string ClientId { get; } = clientId;

        public List<StoredSubscription> Subscriptions { get; } = [];

        public List<StoredDelivery> Deliveries { get; } = [];

        public List<ushort> InboundQos2 { get; } = [];

        public StoredWill? Will { get; set; }

        public StoredSession ToStored()
            => new(ClientId, expiryInterval, protocolVersion, disconnectedAt, Subscriptions, Deliveries, InboundQos2, Will);
    }
}
