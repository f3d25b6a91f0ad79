using System.Globalization;
using BenchmarkDotNet.Attributes;
using Manta.Broker.Diagnostics;
using Manta.Broker.Policy;
using Manta.Broker.Sessions;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;

namespace Manta.Benchmarks.Matching;

/// <summary>
/// <see cref="SubscriptionIndex.Match(ReadOnlySpan{char}, List{Subscription})"/> against 100,000 subscriptions shaped like an IoT
/// fleet: 90,000 exact device telemetry filters (one per device), 9,000 single-level wildcards
/// and 1,000 multi-level wildcards held by back-end applications. The cost of a publish must grow
/// with the matches, not with the subscriptions, and must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class SubscriptionMatchBenchmarks
{
    private const int Devices = 90_000;
    private const int StateWatchers = 8_999;
    private const int Fleets = 999;

    // Back-end applications; the wildcard filters are spread over them as a real deployment would.
    private const int Applications = 100;

    private readonly SubscriptionIndex _index = new();
    private readonly List<Subscription> _results = new(16);

    /// <summary>
    /// Hits 3: its exact filter, the fleet-wide "devices/+/telemetry" monitor and the "devices/#" archiver.
    /// </summary>
    public static string HitTopic => "devices/42/telemetry";

    /// <summary>Hits nothing, but walks the trie two levels deep ("fleet" exists, "5000" does not).</summary>
    public static string MissTopic => "fleet/5000/engine/temperature";

    [GlobalSetup]
    public void Setup()
    {
        var policy = new BrokerPolicy();
        var metrics = new BrokerMetrics(null);
        var clock = new BrokerClock(TimeProvider.System);
        var applications = new Session[Applications];
        for (var i = 0; i < applications.Length; i++)
        {
            applications[i] = new Session(Format("app-{0}", i), policy, metrics, clock);
        }

        for (var i = 0; i < Devices; i++)
        {
            var device = new Session(Format("device-{0}", i), policy, metrics, clock);
            _index.Add(new Subscription(device, Format("devices/{0}/telemetry", i), QualityOfService.AtMostOnce));
        }

        // 9,000 single-level wildcards: per-device state of any component, plus one fleet-wide monitor.
        for (var i = 0; i < StateWatchers; i++)
        {
            _index.Add(new Subscription(applications[i % Applications], Format("devices/{0}/+/state", i), QualityOfService.AtLeastOnce));
        }

        _index.Add(new Subscription(applications[0], "devices/+/telemetry", QualityOfService.AtMostOnce));

        // 1,000 multi-level wildcards: everything of one fleet, plus one archiver of all device traffic.
        for (var i = 0; i < Fleets; i++)
        {
            _index.Add(new Subscription(applications[i % Applications], Format("fleet/{0}/#", i), QualityOfService.AtMostOnce));
        }

        _index.Add(new Subscription(applications[1], "devices/#", QualityOfService.AtMostOnce));

        if (_index.Count != 100_000)
        {
            throw new InvalidOperationException($"Expected 100,000 subscriptions, built {_index.Count}.");
        }

        CheckMatches(HitTopic, 3);
        CheckMatches(MissTopic, 0);
    }

    [Benchmark(Baseline = true, Description = "hit: 1 exact + 2 wildcards")]
    public int MatchHit()
    {
        _results.Clear();
        _index.Match(HitTopic, _results);
        return _results.Count;
    }

    [Benchmark(Description = "miss")]
    public int MatchMiss()
    {
        _results.Clear();
        _index.Match(MissTopic, _results);
        return _results.Count;
    }

    private static string Format(string format, int value) => string.Format(CultureInfo.InvariantCulture, format, value);

    // A benchmark of the wrong result is worthless: check the mix does what the docs say.
    private void CheckMatches(string topic, int expected)
    {
        _results.Clear();
        _index.Match(topic, _results);
        if (_results.Count != expected)
        {
            throw new InvalidOperationException($"'{topic}' matched {_results.Count} subscriptions, expected {expected}.");
        }
    }
}
