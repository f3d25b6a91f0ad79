using System.Diagnostics.Metrics;
using Manta.Protocol;

namespace Manta.Broker.Diagnostics;

/// <summary>
/// The broker's instruments (System.Diagnostics.Metrics, OpenTelemetry-style names and units).
/// Tag values are bounded sets (listener name, protocol version, QoS, reason); never a client id
/// or a topic. Free when nobody listens. Counters are added to where things happen; the state of
/// the broker (connections, sessions, subscriptions, retained messages, inflight, queue depth) is
/// read by observable instruments once <see cref="Observe"/> has been called, only when scraped.
/// </summary>
public sealed class BrokerMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to.</summary>
    public const string MeterName = "Manta.Broker";

    /// <summary>Tag: the configured listener name.</summary>
    public const string ListenerTag = "mqtt.listener";

    /// <summary>Tag: the protocol version ("3.1", "3.1.1", "5.0", "unknown" before CONNECT).</summary>
    public const string ProtocolVersionTag = "mqtt.protocol.version";

    /// <summary>Tag: the QoS of a PUBLISH as received or as sent ("0", "1", "2").</summary>
    public const string QosTag = "mqtt.qos";

    /// <summary>Tag: why (a constant from <see cref="DropReasons"/>, or a reason code in snake case).</summary>
    public const string ReasonTag = "reason";

    // How long one pass over the session registry serves the session gauges: a scrape reads four
    // of them one after the other, and each pass takes the registry lock that CONNECT also takes.
    private static readonly TimeSpan SessionTotalsLifetime = TimeSpan.FromSeconds(1);

    // Publish-to-delivery: 100 us (a local hop) to a minute (a queued message for a client that was away).
    private static readonly double[] DeliveryBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // Pre-built tags: a string in a KeyValuePair boxes nothing, so adding with them allocates nothing.
    private static readonly KeyValuePair<string, object?>[] QosTags = [new(QosTag, "0"), new(QosTag, "1"), new(QosTag, "2")];
    private static readonly KeyValuePair<string, object?> Receive = new("network.io.direction", "receive");
    private static readonly KeyValuePair<string, object?> Transmit = new("network.io.direction", "transmit");

    private readonly Meter _meter;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _payloadReceived;
    private readonly Counter<long> _payloadSent;
    private readonly Counter<long> _networkIo;
    private readonly Counter<long> _messagesDropped;
    private readonly Counter<long> _connectionsOpened;
    private readonly Counter<long> _connectionsRejected;
    private readonly Counter<long> _authenticationFailures;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _publisherPauses;
    private readonly Counter<long> _subscriberStalls;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Lock _totalsGate = new();
    private MqttBroker? _observed;
    private Sessions.SessionTotals _totals;
    private long _totalsDueAt;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (or a private meter when null).</summary>
    public BrokerMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _messagesReceived = _meter.CreateCounter<long>("mqtt.server.messages.received", "{message}", "PUBLISH packets accepted from clients, by QoS");
        _messagesSent = _meter.CreateCounter<long>("mqtt.server.messages.sent", "{message}", "PUBLISH packets written to clients, by QoS");
        _payloadReceived = _meter.CreateCounter<long>("mqtt.server.payload.received", "By", "Payload bytes of the PUBLISH packets accepted from clients, by QoS");
        _payloadSent = _meter.CreateCounter<long>("mqtt.server.payload.sent", "By", "Payload bytes of the PUBLISH packets written to clients, by QoS");
        _networkIo = _meter.CreateCounter<long>("mqtt.server.network.io", "By", "Bytes read from and written to MQTT connections, by direction");
        _messagesDropped = _meter.CreateCounter<long>("mqtt.server.messages.dropped", "{message}", "Deliveries dropped, by reason");
        _connectionsOpened = _meter.CreateCounter<long>("mqtt.server.connections.opened", "{connection}", "Transport connections accepted, by listener");
        _connectionsRejected = _meter.CreateCounter<long>("mqtt.server.connections.rejected", "{connection}", "CONNECTs refused, by reason code");
        _authenticationFailures = _meter.CreateCounter<long>("mqtt.server.authentication.failures", "{connection}", "CONNECTs refused for their credentials or a ban, by reason code");
        _protocolErrors = _meter.CreateCounter<long>("mqtt.server.protocol_errors", "{error}", "Connections closed for a protocol violation");
        _publisherPauses = _meter.CreateCounter<long>("manta.backpressure.pauses", "{pause}", "Times a publisher's reading paused for a subscriber that was too far behind");
        _subscriberStalls = _meter.CreateCounter<long>("manta.backpressure.stalls", "{stall}", "Subscribers that held publishers back past the backpressure timeout");
        _deliveryDuration = _meter.CreateHistogram(
            "mqtt.server.delivery.duration",
            "s",
            "Time from receiving a PUBLISH to encoding it for a subscriber (retained copies sent at subscribe excluded)",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryBuckets });
    }

    /// <summary>The totals behind the $SYS topics.</summary>
    public BrokerStatistics Statistics { get; } = new();

    /// <summary>
    /// Adds the observable instruments that read <paramref name="broker"/>'s state when a listener
    /// collects: open connections (by listener and protocol version), sessions (connected or not),
    /// subscriptions, retained messages, outbound inflight and queued messages. Once per instance.
    /// </summary>
    public void Observe(MqttBroker broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        if (Interlocked.CompareExchange(ref _observed, broker, null) is not null)
        {
            return;
        }

        _meter.CreateObservableUpDownCounter("mqtt.server.connections", ObserveConnections, "{connection}", "Open MQTT connections, by listener and protocol version");
        _meter.CreateObservableUpDownCounter("mqtt.server.sessions", ObserveSessions, "{session}", "Sessions, connected or kept for a client that is away");
        _meter.CreateObservableUpDownCounter("mqtt.server.subscriptions", () => (long)broker.Index.Count, "{subscription}", "Subscriptions, shared ones included");
        _meter.CreateObservableUpDownCounter("mqtt.server.retained.messages", () => (long)broker.Retained.Count, "{message}", "Retained messages held");
        _meter.CreateObservableUpDownCounter("mqtt.server.inflight", () => SessionTotals().Inflight, "{message}", "Outbound QoS 1/2 messages sent and not yet acknowledged");
        _meter.CreateObservableUpDownCounter("mqtt.server.queue.depth", () => SessionTotals().Queued, "{message}", "QoS 1/2 deliveries queued beyond the inflight window or for a client that is away");
    }

    /// <summary>A PUBLISH was accepted.</summary>
    public void MessageReceived(QualityOfService qos, int payloadBytes)
    {
        var tag = QosTags[(int)qos];
        _messagesReceived.Add(1, tag);
        _payloadReceived.Add(payloadBytes, tag);
        Statistics.MessageReceived();
    }

    /// <summary>The write loop encoded a PUBLISH: tallied per batch (see <see cref="MessagesSent"/>) and timed from its receipt.</summary>
    internal void MessageWritten(ref SentTally tally, QualityOfService qos, bool retain, int payloadBytes, long receivedAt, Timing.BrokerClock clock)
    {
        tally.Add(qos, payloadBytes);
        if (!retain && receivedAt != 0 && _deliveryDuration.Enabled)
        {
            _deliveryDuration.Record(clock.TimeProvider.GetElapsedTime(receivedAt).TotalSeconds);
        }
    }

    /// <summary>PUBLISH packets were written: adds a batch's tally and clears it.</summary>
    internal void MessagesSent(ref SentTally tally)
    {
        for (var qos = 0; qos < SentTally.Levels; qos++)
        {
            var count = tally.Count(qos);
            if (count > 0)
            {
                _messagesSent.Add(count, QosTags[qos]);
                _payloadSent.Add(tally.Bytes(qos), QosTags[qos]);
            }
        }

        Statistics.MessagesWritten((int)tally.Total);
        tally = default;
    }

    /// <summary>Bytes were read from a client.</summary>
    public void BytesRead(long bytes)
    {
        _networkIo.Add(bytes, Receive);
        Statistics.Read(bytes);
    }

    /// <summary>Bytes were written to a client.</summary>
    public void BytesWritten(long bytes)
    {
        _networkIo.Add(bytes, Transmit);
        Statistics.Written(bytes);
    }

    /// <summary>A delivery was dropped for <paramref name="reason"/> (a constant from <see cref="DropReasons"/>).</summary>
    public void MessageDropped(string reason)
    {
        _messagesDropped.Add(1, new KeyValuePair<string, object?>(ReasonTag, reason));
        Statistics.Dropped();
    }

    /// <summary>A transport connection opened on listener <paramref name="listener"/>.</summary>
    public void ConnectionOpened(string listener)
    {
        _connectionsOpened.Add(1, new KeyValuePair<string, object?>(ListenerTag, listener));
        Statistics.ConnectionAccepted();
    }

    /// <summary>
    /// A CONNECT was refused with <paramref name="code"/>. Bad user name or password (0x86), not
    /// authorized (0x87), banned (0x8A) and bad authentication method (0x8C) also count as
    /// authentication failures.
    /// </summary>
    public void ConnectionRejected(ReasonCode code)
    {
        var reason = new KeyValuePair<string, object?>(ReasonTag, ReasonName(code));
        _connectionsRejected.Add(1, reason);
        if (code is ReasonCode.BadUserNameOrPassword or ReasonCode.NotAuthorized or ReasonCode.Banned or ReasonCode.BadAuthenticationMethod)
        {
            _authenticationFailures.Add(1, reason);
        }
    }

    /// <summary>A connection was closed for a protocol violation.</summary>
    public void ProtocolError() => _protocolErrors.Add(1);

    /// <summary>A publisher's read loop paused for a subscriber that was too far behind.</summary>
    public void PublisherPaused() => _publisherPauses.Add(1);

    /// <summary>A subscriber held publishers back past the backpressure timeout.</summary>
    public void SubscriberStalled() => _subscriberStalls.Add(1);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    /// <summary>The tag value for a CONNACK reason code: its name in snake case (a bounded set).</summary>
    internal static string ReasonName(ReasonCode code) => code switch
    {
        ReasonCode.UnspecifiedError => "unspecified_error",
        ReasonCode.MalformedPacket => "malformed_packet",
        ReasonCode.ProtocolError => "protocol_error",
        ReasonCode.ImplementationSpecificError => "implementation_specific_error",
        ReasonCode.UnsupportedProtocolVersion => "unsupported_protocol_version",
        ReasonCode.ClientIdentifierNotValid => "client_identifier_not_valid",
        ReasonCode.BadUserNameOrPassword => "bad_username_or_password",
        ReasonCode.NotAuthorized => "not_authorized",
        ReasonCode.ServerUnavailable => "server_unavailable",
        ReasonCode.ServerBusy => "server_busy",
        ReasonCode.Banned => "banned",
        ReasonCode.BadAuthenticationMethod => "bad_authentication_method",
        ReasonCode.TopicNameInvalid => "topic_name_invalid",
        ReasonCode.PacketTooLarge => "packet_too_large",
        ReasonCode.QuotaExceeded => "quota_exceeded",
        ReasonCode.PayloadFormatInvalid => "payload_format_invalid",
        ReasonCode.RetainNotSupported => "retain_not_supported",
        ReasonCode.QoSNotSupported => "qos_not_supported",
        ReasonCode.UseAnotherServer => "use_another_server",
        ReasonCode.ServerMoved => "server_moved",
        ReasonCode.ConnectionRateExceeded => "connection_rate_exceeded",
        _ => "other",
    };

    private static string VersionName(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V310 => "3.1",
        MqttProtocolVersion.V311 => "3.1.1",
        MqttProtocolVersion.V500 => "5.0",
        _ => "unknown",
    };

    private IEnumerable<Measurement<long>> ObserveConnections()
    {
        var broker = _observed!;
        var counts = new Dictionary<(string Listener, MqttProtocolVersion Version), long>();
        foreach (var connection in broker.Connections.Snapshot())
        {
            var key = (connection.Info.ListenerName, connection.Channel.Version);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        var measurements = new List<Measurement<long>>(counts.Count);
        foreach (var ((listener, version), count) in counts)
        {
            measurements.Add(new Measurement<long>(count, new KeyValuePair<string, object?>(ListenerTag, listener), new KeyValuePair<string, object?>(ProtocolVersionTag, VersionName(version))));
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveSessions()
    {
        var totals = SessionTotals();
        return
        [
            new Measurement<long>(totals.Connected, new KeyValuePair<string, object?>("mqtt.session.state", "connected")),
            new Measurement<long>(totals.Sessions - totals.Connected, new KeyValuePair<string, object?>("mqtt.session.state", "away")),
        ];
    }

    private Sessions.SessionTotals SessionTotals()
    {
        var broker = _observed!;
        var now = Environment.TickCount64;
        lock (_totalsGate)
        {
            if (now >= _totalsDueAt)
            {
                _totals = broker.Sessions.Totals();
                _totalsDueAt = now + (long)SessionTotalsLifetime.TotalMilliseconds;
            }

            return _totals;
        }
    }
}
