namespace Manta.Bench;

/// <summary>The one JSON line the tool prints at the end of a run.</summary>
/// <param name="Scenario">fanin or fanout.</param>
/// <param name="Qos">QoS of publishes and subscriptions.</param>
/// <param name="Publishers">Publisher connections.</param>
/// <param name="Subscribers">Subscriber connections.</param>
/// <param name="PayloadBytes">Payload size.</param>
/// <param name="DurationSeconds">Measured wall time of closed-loop publishing.</param>
/// <param name="Sent">Publishes fully written to sockets (whole run).</param>
/// <param name="Acked">QoS 1 publishes acknowledged by the broker; equals <paramref name="Sent"/> at QoS 0.</param>
/// <param name="Expected">Deliveries owed: acknowledged (QoS 1) or sent (QoS 0) publishes times subscribers.</param>
/// <param name="Received">Deliveries counted at the subscribers, including those drained after the measured time.</param>
/// <param name="Lost">Expected minus received; negative would mean duplicates.</param>
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
    long? BrokerPeakRssKib);
