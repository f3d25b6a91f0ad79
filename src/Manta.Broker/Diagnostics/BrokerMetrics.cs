using System.Diagnostics.Metrics;

namespace Manta.Broker.Diagnostics;

/// <summary>
/// The broker's instruments (System.Diagnostics.Metrics, OpenTelemetry-style names). Tags are
/// bounded sets (reason, protocol version); never a client id or a topic. Free when nobody listens.
/// </summary>
public sealed class BrokerMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "Manta.Broker";

    private readonly Meter _meter;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _messagesDropped;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _connectionsRejected;
    private readonly Counter<long> _protocolErrors;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (or a private meter when null).</summary>
    public BrokerMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _messagesReceived = _meter.CreateCounter<long>("mqtt.server.messages.received", "{message}", "PUBLISH packets accepted from clients");
        _messagesSent = _meter.CreateCounter<long>("mqtt.server.messages.sent", "{message}", "PUBLISH packets written to clients");
        _messagesDropped = _meter.CreateCounter<long>("mqtt.server.messages.dropped", "{message}", "Deliveries dropped, by reason");
        _connections = _meter.CreateUpDownCounter<long>("mqtt.server.connections", "{connection}", "Open MQTT connections");
        _connectionsRejected = _meter.CreateCounter<long>("mqtt.server.connections.rejected", "{connection}", "CONNECTs refused, by reason code");
        _protocolErrors = _meter.CreateCounter<long>("mqtt.server.protocol_errors", "{error}", "Connections closed for a protocol violation");
    }

    /// <summary>The totals behind the $SYS topics.</summary>
    public BrokerStatistics Statistics { get; } = new();

    /// <summary>A PUBLISH was accepted.</summary>
    public void MessageReceived()
    {
        _messagesReceived.Add(1);
        Statistics.MessageReceived();
    }

    /// <summary>PUBLISH packets were written.</summary>
    public void MessagesSent(int count)
    {
        _messagesSent.Add(count);
        Statistics.MessagesWritten(count);
    }

    /// <summary>Bytes were read from a client.</summary>
    public void BytesRead(long bytes) => Statistics.Read(bytes);

    /// <summary>Bytes were written to a client.</summary>
    public void BytesWritten(long bytes) => Statistics.Written(bytes);

    /// <summary>A delivery was dropped for <paramref name="reason"/> (a constant from <see cref="DropReasons"/>).</summary>
    public void MessageDropped(string reason)
    {
        _messagesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Statistics.Dropped();
    }

    /// <summary>A connection opened.</summary>
    public void ConnectionOpened()
    {
        _connections.Add(1);
        Statistics.ConnectionAccepted();
    }

    /// <summary>A connection closed.</summary>
    public void ConnectionClosed() => _connections.Add(-1);

    /// <summary>A CONNECT was refused.</summary>
    public void ConnectionRejected(string reason) => _connectionsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A connection was closed for a protocol violation.</summary>
    public void ProtocolError() => _protocolErrors.Add(1);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
