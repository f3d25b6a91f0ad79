namespace Manta.Broker.Diagnostics;

/// <summary>Running totals the broker reports about itself ($SYS topics); cheap to add to from any thread.</summary>
public sealed class BrokerStatistics
{
    private readonly StripedCounter _messagesReceived = new();
    private readonly StripedCounter _messagesSent = new();
    private readonly StripedCounter _bytesReceived = new();
    private readonly StripedCounter _bytesSent = new();
    private readonly StripedCounter _messagesDropped = new();
    private long _connectionsAccepted;

    /// <summary>PUBLISH packets accepted from clients.</summary>
    public long MessagesReceived => _messagesReceived.Sum();

    /// <summary>PUBLISH packets written to clients.</summary>
    public long MessagesSent => _messagesSent.Sum();

    /// <summary>Bytes read from clients.</summary>
    public long BytesReceived => _bytesReceived.Sum();

    /// <summary>Bytes written to clients.</summary>
    public long BytesSent => _bytesSent.Sum();

    /// <summary>Deliveries dropped, for any reason.</summary>
    public long MessagesDropped => _messagesDropped.Sum();

    /// <summary>Connections accepted since start.</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    internal void MessageReceived() => _messagesReceived.Add(1);

    internal void MessagesWritten(int count) => _messagesSent.Add(count);

    internal void Read(long bytes) => _bytesReceived.Add(bytes);

    internal void Written(long bytes) => _bytesSent.Add(bytes);

    internal void Dropped() => _messagesDropped.Add(1);

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
}
