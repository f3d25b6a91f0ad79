using System.Diagnostics;
using System.Globalization;

namespace Manta.Bench;

/// <summary>
/// The publish/subscribe scenarios: fan-in, fan-out and pairs. Setup (subscribers first, then
/// publishers), the measured window with progress once a second, a drain of what is still in
/// flight, and the results.
/// </summary>
internal static class PubSubRun
{
    /// <summary>After the measured time, the longest wait for deliveries and acknowledgements still in flight.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    /// <summary>During the drain, a pause this long without a new delivery ends it (QoS 0 losses never arrive).</summary>
    private static readonly TimeSpan DrainQuiet = TimeSpan.FromSeconds(1);

    public static async Task<BenchResults> RunAsync(RunContext context)
    {
        var o = context.Options;
        var version = o.Protocol;
        var scenario = o.Scenario;
        string Topic(int publisher) => scenario switch
        {
            BenchScenario.FanIn => string.Create(CultureInfo.InvariantCulture, $"bench/fanin/{publisher}"),
            BenchScenario.FanOut => "bench/fanout",
            _ => string.Create(CultureInfo.InvariantCulture, $"bench/pair/{publisher}"),
        };
        string Filter(int subscriber) => scenario switch
        {
            BenchScenario.FanIn => "bench/fanin/+",
            BenchScenario.FanOut => "bench/fanout",
            _ => string.Create(CultureInfo.InvariantCulture, $"bench/pair/{subscriber}"),
        };

        var recorders = new LatencyRecorder[o.Subscribers];
        var subscribers = new Subscriber[o.Subscribers];
        for (var i = 0; i < subscribers.Length; i++)
        {
            recorders[i] = new LatencyRecorder();
            var name = o.CleanSession ? context.Ids.For('s', i) : ClientIds.Stable('s', i);
            subscribers[i] = new Subscriber(name, version, context.Broker, context.SourceFor(i), recorders[i], o.Publishers);
        }

        var publishers = new Publisher[o.Publishers];
        for (var i = 0; i < publishers.Length; i++)
        {
            var template = PacketTemplates.Publish(Topic(i), o.QoS, o.PayloadSize, version);
            publishers[i] = new Publisher(context.Ids.For('p', i), version, context.Broker, context.SourceFor(subscribers.Length + i), i, template, o.QoS, o.Inflight);
        }

        Connection[] all = [.. subscribers, .. publishers];
        using var run = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var keepAlive = new KeepAliveTicker(all);
        var keepAliveTask = keepAlive.RunAsync(run.Token);
        var loops = new Task[all.Length];

        // Persistent subscriber sessions start empty: whatever an earlier run left under the same ids goes first.
        uint? sessionExpiry = o.CleanSession ? null : BenchOptions.PersistentSessionExpirySeconds;
        var subscriberIds = Array.ConvertAll(subscribers, s => s.Name);
        if (!o.CleanSession)
        {
            await context.DiscardSessionsAsync(subscriberIds, "discarding the earlier session of subscriber");
        }

        // Setup: subscribers first, so no publish is missed.
        var downgraded = 0;
        await context.HandshakeAllAsync(subscribers.Length, "subscriber", async (i, ct) =>
        {
            var s = subscribers[i];
            await s.ConnectAsync(PacketTemplates.Connect(s.Name, version, o.KeepAliveSeconds, sessionExpiry), o.KeepAliveSeconds, ct);
            if (await s.SubscribeAsync(PacketTemplates.Subscribe(Filter(i), o.QoS, version), ct) < o.QoS)
            {
                Interlocked.Increment(ref downgraded);
            }

            loops[i] = s.RunReceiveLoopAsync(run.Token);
        });
        await context.HandshakeAllAsync(publishers.Length, "publisher", async (i, ct) =>
        {
            var p = publishers[i];
            await p.ConnectAsync(PacketTemplates.Connect(p.Name, version, o.KeepAliveSeconds), o.KeepAliveSeconds, ct);
            var limits = p.Limits;
            if (o.QoS > limits.MaximumQoS)
            {
                throw new BenchSetupException($"{p.Name}: the broker accepts QoS {limits.MaximumQoS} at most (CONNACK Maximum QoS), --qos {o.QoS} asked for more");
            }

            var size = PacketTemplates.Publish(Topic(i), o.QoS, o.PayloadSize, version).Bytes.Length;
            if (size > limits.MaximumPacketSize)
            {
                throw new BenchSetupException($"{p.Name}: a {size}-byte PUBLISH exceeds the broker's Maximum Packet Size of {limits.MaximumPacketSize} bytes");
            }

            if (o.QoS > 0)
            {
                p.Window = Math.Min(o.Inflight, limits.ReceiveMaximum);
            }

            loops[subscribers.Length + i] = p.RunReceiveLoopAsync(run.Token);
        });

        if (downgraded > 0)
        {
            await Console.Error.WriteLineAsync($"warning: the broker granted less than QoS {o.QoS} to {downgraded} subscription(s); their deliveries come at the lower QoS");
        }

        var window = o.QoS == 0 ? (int?)null : publishers.Min(p => p.Window);
        if (window < o.Inflight)
        {
            await Console.Error.WriteLineAsync($"note: the broker's Receive Maximum lowers --inflight {o.Inflight} to {window}");
        }

        var pace = o.Rate > 0 ? string.Create(CultureInfo.InvariantCulture, $"paced at {o.Rate:N0} msg/s in total") : "closed loop";
        Console.Error.WriteLine(
            $"{scenario.Name()} MQTT {o.ProtocolName} qos {o.QoS}: {publishers.Length} publishers -> {subscribers.Length} {(o.CleanSession ? "subscribers" : "subscribers with persistent sessions")}, {o.PayloadSize} B payload, {pace}" +
            $"{(window is int w ? $", inflight {w}" : string.Empty)}, {o.DurationSeconds} s, {context.SourceDescription}");

        using var meter = new ResourceMeter(o.BrokerPid);
        meter.Start();
        Task[] publishing;
        if (o.Rate > 0)
        {
            publishing = [Task.Run(() => new Pacer(publishers, o.Rate).RunAsync(run.Token), CancellationToken.None)];
        }
        else
        {
            publishing = Array.ConvertAll(publishers, p => p.StartClosedLoop(run.Token));
        }

        // Progress once a second on stderr.
        var duration = TimeSpan.FromSeconds(o.DurationSeconds);
        long lastSent = 0, lastReceived = 0;
        var lastTick = TimeSpan.Zero;
        while (await meter.WaitForNextSecondAsync(duration, context.CancellationToken))
        {
            var now = meter.Elapsed;
            var interval = Math.Max(1e-3, (now - lastTick).TotalSeconds);
            var sent = Sum(publishers, p => p.Sent);
            var received = Sum(subscribers, s => s.Received);
            await Console.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"[{now.TotalSeconds,4:F0}s] pub {(sent - lastSent) / interval,10:N0}/s  recv {(received - lastReceived) / interval,11:N0}/s  inflight {publishers.Sum(p => p.Inflight),6}  open {all.Count(c => c.IsOpen)}/{all.Length}  {meter.Interval()}"));
            (lastSent, lastReceived, lastTick) = (sent, received, now);
        }

        // The measured window ends here: take every reading before the drain.
        var reading = meter.Read();
        var sentInWindow = Sum(publishers, p => p.Sent);
        var receivedInWindow = Sum(subscribers, s => s.Received);
        var connectedAtEnd = all.Count(c => c.IsOpen);
        foreach (var publisher in publishers)
        {
            publisher.Stop();
        }

        // Drain: wait for the deliveries and acknowledgements still in flight.
        var drain = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var lastCount = -1L;
        while (drain.Elapsed < DrainLimit && !context.CancellationToken.IsCancellationRequested)
        {
            var distinct = Sum(subscribers, s => s.Received - s.Duplicated);
            var publishingDone = o.QoS > 0 || Array.TrueForAll(publishing, t => t.IsCompleted);
            if (distinct >= Owed(publishers, subscribers, o) && publishers.Sum(p => p.Inflight) == 0 && publishingDone)
            {
                break;
            }

            if (distinct != lastCount)
            {
                (lastCount, lastProgress) = (distinct, drain.Elapsed);
            }
            else if (drain.Elapsed - lastProgress > DrainQuiet)
            {
                break;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        await RunContext.DisconnectAllAsync(all, loops);
        await run.CancelAsync();
        try
        {
            await Task.WhenAll([.. publishing, .. loops, keepAliveTask]).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (Exception)
        {
            // The connections were closed under their loops on purpose.
        }

        // Persistent sessions end with the run, so the broker does not keep queueing for them in whatever runs next.
        if (!o.CleanSession && !context.CancellationToken.IsCancellationRequested)
        {
            try
            {
                await context.DiscardSessionsAsync(subscriberIds, "discarding the session of subscriber");
            }
            catch (BenchSetupException ex)
            {
                await Console.Error.WriteLineAsync($"warning: persistent subscriber sessions may be left on the broker: {ex.Message}");
            }
        }

        // Totals, after every receive loop ended.
        var latency = new LatencyRecorder();
        foreach (var r in recorders)
        {
            latency.Add(r);
        }

        long expected = 0, lost = 0;
        for (var s = 0; s < subscribers.Length; s++)
        {
            var (first, count) = scenario == BenchScenario.Pairs ? (s, 1) : (0, publishers.Length);
            for (var p = first; p < first + count; p++)
            {
                var owed = o.QoS == 0 ? publishers[p].Sent : publishers[p].Acked;
                expected += owed;
                lost += Math.Max(0, owed - subscribers[s].UniqueFrom(p));
            }
        }

        ReportAnomalies(publishers, subscribers);
        RunContext.ReportEarlyCloses(all);
        RefuseIfAllPublishersClosed(publishers, o);
        var totalSent = Sum(publishers, p => p.Sent);
        var totalReceived = Sum(subscribers, s => s.Received);
        await Console.Error.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"tool allocated {reading.ToolAllocatedBytes / 1024.0:N0} KiB in the measured time ({(double)reading.ToolAllocatedBytes / Math.Max(1, sentInWindow + receivedInWindow):F3} B per message sent or received)"));
        var seconds = reading.Seconds;
        foreach (var connection in all)
        {
            connection.Dispose();
        }

        return new BenchResults(
            scenario.Name(),
            o.QoS,
            publishers.Length,
            subscribers.Length,
            o.PayloadSize,
            Math.Round(seconds, 3),
            totalSent,
            o.QoS == 0 ? totalSent : Sum(publishers, p => p.Acked),
            expected,
            totalReceived,
            lost,
            Math.Round(sentInWindow / seconds),
            Math.Round(receivedInWindow / seconds),
            Math.Round(latency.QuantileMicroseconds(0.50), 1),
            Math.Round(latency.QuantileMicroseconds(0.99), 1),
            Math.Round(latency.QuantileMicroseconds(0.999), 1),
            Math.Round(latency.MaxMicroseconds, 1),
            Math.Round(reading.ToolCpuSeconds, 3),
            Math.Round(reading.ToolCpuSeconds / seconds * 100, 1),
            reading.BrokerCpuSeconds is double b ? Math.Round(b, 3) : null,
            reading.BrokerCpuSeconds is double c ? Math.Round(c / seconds * 100, 1) : null,
            reading.BrokerRssKib,
            reading.BrokerPeakRssKib,
            o.ProtocolName,
            o.Rate,
            Sum(subscribers, s => s.Duplicated),
            Sum(subscribers, s => s.OutOfOrder),
            all.Length,
            connectedAtEnd,
            ConnectRate: null,
            ConnectP50Us: null,
            ConnectP99Us: null,
            ConnectErrors: null,
            window,
            context.BrokerRssBeforeKib,
            BrokerRssPerConnectionBytes: null);
    }

    /// <summary>Deliveries owed so far: per subscriber, the sent (QoS 0) or acknowledged publishes of the publishers it listens to.</summary>
    private static long Owed(Publisher[] publishers, Subscriber[] subscribers, BenchOptions o)
    {
        var owed = Sum(publishers, p => o.QoS == 0 ? p.Sent : p.Acked);
        return o.Scenario == BenchScenario.Pairs ? owed : owed * subscribers.Length;
    }

    /// <summary>
    /// A broker that accepts the connections but then closes every publisher refused the run,
    /// as nats-server does with QoS 2 publishes under MQTT 3.1.1, where no reason code can say
    /// so: exit code 1, not numbers. Subscribers the broker closes (a slow-consumer policy) are
    /// a result, reported in connected_at_end.
    /// </summary>
    private static void RefuseIfAllPublishersClosed(Publisher[] publishers, BenchOptions o)
    {
        if (Array.TrueForAll(publishers, p => p.CloseReason is not null))
        {
            throw new BenchSetupException(
                $"the broker closed all {publishers.Length} publisher connection(s) during the run ({publishers[0].CloseReason}); does it accept QoS {o.QoS} publishes over MQTT {o.ProtocolName}?");
        }
    }

    private static void ReportAnomalies(Publisher[] publishers, Subscriber[] subscribers)
    {
        if (Sum(publishers, p => p.Rejected) is var rejected and > 0)
        {
            Console.Error.WriteLine($"warning: the broker refused {rejected} publish(es) (PUBACK/PUBREC reason code 0x80 or above)");
        }

        if (Sum(publishers, p => p.Unexpected) is var unexpected and > 0)
        {
            Console.Error.WriteLine($"warning: {unexpected} acknowledgement(s) for a packet id that was not waiting for one, or malformed");
        }

        if (Sum(subscribers, s => s.Foreign) is var foreign and > 0)
        {
            Console.Error.WriteLine($"warning: {foreign} delivery(ies) without this run's payload tag (another client publishing on bench/#?)");
        }

        if (Sum(subscribers, s => s.Malformed) is var malformed and > 0)
        {
            Console.Error.WriteLine($"warning: {malformed} malformed PUBLISH packet(s) from the broker");
        }
    }

    private static long Sum<T>(T[] items, Func<T, long> value)
    {
        long sum = 0;
        foreach (var item in items)
        {
            sum += value(item);
        }

        return sum;
    }
}
