using System.Collections.Concurrent;

namespace Manta.Broker.Connections;

/// <summary>The live connections, for the heartbeat and for shutdown.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, MqttConnection> _connections = new();
    private long _nextId;

    /// <summary>Open connections.</summary>
    public int Count => _connections.Count;

    internal long Add(MqttConnection connection)
    {
        var id = Interlocked.Increment(ref _nextId);
        _connections[id] = connection;
        return id;
    }

    internal void Remove(long id) => _connections.TryRemove(id, out _);

    internal IEnumerable<MqttConnection> Snapshot() => _connections.Values;
}
