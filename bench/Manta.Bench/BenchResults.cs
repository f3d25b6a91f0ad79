namespace Manta.Bench;

/// <summary>
/// The one JSON line the tool prints at the end of a run (snake_case names, see
/// <see cref="BenchJsonContext"/>). The first 23 fields are the first cut's, unchanged in name
/// and type (0 where a scenario has nothing to count); the fields after them are null where
/// they do not apply.
/// </summary>
/// <param name="Scenario">fanin, fanout, pairs, idle or connect.</param>
/// <param name="Qos">QoS of publishes and subscriptions (as requested).</param>
/// <param name="Publishers">Publisher connections (0 in idle and connect).</param>
/// <param name="Subscribers">Subscriber connections (0 in idle and connect).</param>
/// <param name="PayloadBytes">Payload size.</param>
/// <param name="DurationSeconds">Measured wall time: publishing, holding the idle connections, or the connect storm.</param>
/// <param name="Sent">Publishes fully written to sockets (whole run).</param>
/// <param name="Acked">Publishes the broker accepted: PUBACK (QoS 1) or PUBCOMP (QoS 2) with success; equals <paramref name="Sent"/> at QoS 0.</param>
/// <param name="Expected">Deliveries owed: for every subscriber, the acknowledged (QoS 1, 2) or sent (QoS 0) publishes of the publishers it listens to.</param>
/// <param name="Received">Deliveries counted at the subscribers, duplicates included, also those drained after the measured time.</param>
/// <param name="Lost">Owed deliveries whose sequence number never arrived (per subscriber and publisher); never negative.</param>
/// <param name="PublishRate">Publishes sent per second in the measured time.</param>
/// <param name="DeliveryRate">Deliveries received per second in the measured time (all subscribers).</param>
/// <param name="LatencyP50Us">Median publish-to-delivery latency in microseconds.</param>
/// <param name="LatencyP99Us">99th percentile latency in microseconds.</param>
/// <param name="LatencyP999Us">99.9th percentile latency in microseconds.</param>
/// <param name="LatencyMaxUs">Largest latency in microseconds.</param>
/// <param name="ToolCpuSeconds">The load generator's CPU time in the measured time.</param>
/// <param name="ToolCpuPercent">The same as a percentage of one core.</param>
/// <param name="BrokerCpuSeconds">The broker's CPU time in the measured time, when --broker-pid was given.</param>
/// <param name="BrokerCpuPercent">The same as a percentage of one core.</param>
/// <param name="BrokerRssKib">The broker's resident memory at the end of the measured time (VmRSS).</param>
/// <param name="BrokerPeakRssKib">The broker's peak resident memory over its life (VmHWM).</param>
/// <param name="Protocol">"3.1.1" or "5".</param>
/// <param name="Rate">Requested total publish rate; 0 is closed loop. Null in idle and connect.</param>
/// <param name="Duplicated">Deliveries of a sequence number the subscriber already had. Null in idle and connect.</param>
/// <param name="OutOfOrder">Deliveries that arrived after a later one from the same publisher. Null in idle and connect.</param>
/// <param name="Connections">Connections the run opened: publishers plus subscribers, idle connections held, or connects completed in the storm.</param>
/// <param name="ConnectedAtEnd">Of those, still connected at the end of the measured time. Null in connect.</param>
/// <param name="ConnectRate">Connects (TCP and CONNECT/CONNACK) completed per second: the storm's, or idle's setup. Null otherwise.</param>
/// <param name="ConnectP50Us">Median time from starting the TCP connect to the CONNACK, in microseconds (connect, idle).</param>
/// <param name="ConnectP99Us">99th percentile of the same (connect, idle).</param>
/// <param name="ConnectErrors">Connect attempts that failed during the storm (refused, reset, timed out). Null outside connect.</param>
/// <param name="Inflight">The QoS 1 and 2 window per publisher in force (after the broker's Receive Maximum). Null at QoS 0 and outside pub/sub.</param>
/// <param name="BrokerRssBeforeKib">The broker's VmRSS before the tool opened any connection.</param>
/// <param name="BrokerRssPerConnectionBytes">Idle: (broker RSS 1 s after all K connected - RSS before) / K. Null otherwise.</param>
internal sealed record BenchResults(
    string Scenario,
    int Qos,
    int Publishers,
    int Subscribers,
    int PayloadBytes,
    double DurationSeconds,
    long Sent,
    long Acked,
    long Expected,
    long Received,
    long Lost,
    double PublishRate,
    double DeliveryRate,
    double LatencyP50Us,
    double LatencyP99Us,
    double LatencyP999Us,
    double LatencyMaxUs,
    double ToolCpuSeconds,
    double ToolCpuPercent,
    double? BrokerCpuSeconds,
    double? BrokerCpuPercent,
    long? BrokerRssKib,
    long? BrokerPeakRssKib,
    string Protocol,
    double? Rate,
    long? Duplicated,
    long? OutOfOrder,
    int Connections,
    int? ConnectedAtEnd,
    double? ConnectRate,
    double? ConnectP50Us,
    double? ConnectP99Us,
    long? ConnectErrors,
    int? Inflight,
    long? BrokerRssBeforeKib,
    double? BrokerRssPerConnectionBytes)
{
    /// <summary>Results of a scenario that only opens connections (idle, connect): the message fields are 0.</summary>
    public static BenchResults ForConnections(
        BenchScenario scenario,
        BenchOptions o,
        ResourceReading reading,
        int connections,
        int? connectedAtEnd,
        double connectSeconds,
        LatencyRecorder connectLatency,
        long? connectErrors,
        long? brokerRssBeforeKib,
        double? brokerRssPerConnectionBytes)
    {
        var seconds = reading.Seconds;
        return new BenchResults(
            scenario.Name(),
            o.QoS,
            Publishers: 0,
            Subscribers: 0,
            o.PayloadSize,
            Math.Round(seconds, 3),
            Sent: 0,
            Acked: 0,
            Expected: 0,
            Received: 0,
            Lost: 0,
            PublishRate: 0,
            DeliveryRate: 0,
            LatencyP50Us: 0,
            LatencyP99Us: 0,
            LatencyP999Us: 0,
            LatencyMaxUs: 0,
            Math.Round(reading.ToolCpuSeconds, 3),
            Math.Round(reading.ToolCpuSeconds / seconds * 100, 1),
            reading.BrokerCpuSeconds is double b ? Math.Round(b, 3) : null,
            reading.BrokerCpuSeconds is double c ? Math.Round(c / seconds * 100, 1) : null,
            reading.BrokerRssKib,
            reading.BrokerPeakRssKib,
            o.ProtocolName,
            Rate: null,
            Duplicated: null,
            OutOfOrder: null,
            connections,
            connectedAtEnd,
            Math.Round(connections / connectSeconds, 1),
            Math.Round(connectLatency.QuantileMicroseconds(0.50), 1),
            Math.Round(connectLatency.QuantileMicroseconds(0.99), 1),
            connectErrors,
            Inflight: null,
            brokerRssBeforeKib,
            brokerRssPerConnectionBytes);
    }
}
