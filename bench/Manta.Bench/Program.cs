using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Manta.Bench;

// manta-bench: a closed-loop MQTT 3.1.1 load generator. See BenchOptions.Usage.
var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        Console.Error.WriteLine(error);
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return string.IsNullOrEmpty(error) ? 0 : 2;
}

// Most connection handshakes in flight at once, so a large run does not look like a SYN flood to the broker.
const int ConnectParallelism = 64;

// After the measured time, how long the tool waits for deliveries still in flight to arrive.
var drainLimit = TimeSpan.FromSeconds(5);

// During the drain, a pause this long with no new delivery ends it (QoS 0 losses never arrive).
var drainQuiet = TimeSpan.FromSeconds(1);

var broker = new IPEndPoint(options.Host, options.Port);
var runId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
var fanIn = options.Scenario == BenchScenario.FanIn;
var scenarioName = fanIn ? "fanin" : "fanout";
var filter = fanIn ? "bench/fanin/+" : "bench/fanout";

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

var subscribers = new Subscriber[options.Subscribers];
var recorders = new LatencyRecorder[options.Subscribers];
for (var i = 0; i < subscribers.Length; i++)
{
    recorders[i] = new LatencyRecorder();
    subscribers[i] = new Subscriber(recorders[i]);
}

var publishers = new Publisher[options.Publishers];
for (var i = 0; i < publishers.Length; i++)
{
    var topic = fanIn ? $"bench/fanin/{i}" : "bench/fanout";
    publishers[i] = new Publisher(PacketTemplates.Publish(topic, options.QoS, options.PayloadSize), options.QoS);
}

var loops = new List<Task>();
try
{
    var subscribe = PacketTemplates.Subscribe(filter, options.QoS);
    await Parallel.ForEachAsync(
        Enumerable.Range(0, subscribers.Length),
        new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cts.Token },
        async (i, ct) =>
        {
            await subscribers[i].ConnectAsync(broker, PacketTemplates.Connect($"bench-{runId}-sub-{i}"), ct);
            await subscribers[i].SubscribeAsync(subscribe, ct);
        });
    foreach (var s in subscribers)
    {
        loops.Add(s.RunReceiveLoopAsync(cts.Token));
    }

    await Parallel.ForEachAsync(
        Enumerable.Range(0, publishers.Length),
        new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cts.Token },
        async (i, ct) => await publishers[i].ConnectAsync(broker, PacketTemplates.Connect($"bench-{runId}-pub-{i}"), ct));
}
catch (Exception ex) when (ex is InvalidOperationException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"setup failed: {ex.Message}");
    return 1;
}

Console.Error.WriteLine($"{scenarioName} qos {options.QoS}: {publishers.Length} publishers -> {subscribers.Length} subscribers on '{filter}', {options.PayloadSize} B payload, {options.DurationSeconds} s");

var self = Process.GetCurrentProcess();
var toolCpuStart = self.TotalProcessorTime;
var brokerCpuStart = options.BrokerPid is int p0 ? ProcStat.CpuSeconds(p0) : null;
var clock = Stopwatch.StartNew();

var publishing = new List<Task>();
foreach (var publisher in publishers)
{
    // Task.Run: a QoS 0 send loop whose sends complete synchronously must not run on this thread.
    publishing.Add(Task.Run(() => publisher.RunAsync(cts.Token)));
}

// Progress once a second on stderr.
var duration = TimeSpan.FromSeconds(options.DurationSeconds);
long lastSent = 0, lastReceived = 0;
var lastToolCpu = toolCpuStart;
var lastBrokerCpu = brokerCpuStart;
var lastTick = TimeSpan.Zero;
using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1)))
{
    while (clock.Elapsed < duration && !cts.IsCancellationRequested && await timer.WaitForNextTickAsync(CancellationToken.None))
    {
        var now = clock.Elapsed;
        var seconds = (now - lastTick).TotalSeconds;
        var sent = SumSent(publishers);
        var received = SumReceived(subscribers);
        self.Refresh();
        var toolCpu = self.TotalProcessorTime;
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{now.TotalSeconds,4:F0}s] pub {(sent - lastSent) / seconds,10:N0}/s  recv {(received - lastReceived) / seconds,11:N0}/s  inflight {SumInflight(publishers),6}  tool cpu {(toolCpu - lastToolCpu).TotalSeconds / seconds * 100,4:F0}%");
        if (options.BrokerPid is int pid && ProcStat.CpuSeconds(pid) is double brokerCpu)
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"  broker cpu {(brokerCpu - (lastBrokerCpu ?? brokerCpu)) / seconds * 100,4:F0}%  rss {ProcStat.StatusKib(pid, "VmRSS") / 1024.0,6:F1} MiB");
            lastBrokerCpu = brokerCpu;
        }

        Console.Error.WriteLine(line);
        (lastSent, lastReceived, lastToolCpu, lastTick) = (sent, received, toolCpu, now);
    }
}

// The measured window ends here: take every reading before the drain.
var elapsed = clock.Elapsed.TotalSeconds;
var sentInWindow = SumSent(publishers);
var receivedInWindow = SumReceived(subscribers);
self.Refresh();
var toolCpuSeconds = (self.TotalProcessorTime - toolCpuStart).TotalSeconds;
double? brokerCpuSeconds = null;
long? brokerRss = null, brokerPeak = null;
if (options.BrokerPid is int bp)
{
    brokerCpuSeconds = ProcStat.CpuSeconds(bp) - brokerCpuStart;
    brokerRss = ProcStat.StatusKib(bp, "VmRSS");
    brokerPeak = ProcStat.StatusKib(bp, "VmHWM");
}

foreach (var publisher in publishers)
{
    publisher.Stop();
}

// Drain: wait for the deliveries and acknowledgements still in flight.
var drainClock = Stopwatch.StartNew();
var lastProgress = TimeSpan.Zero;
var lastCount = -1L;
while (drainClock.Elapsed < drainLimit && !cts.IsCancellationRequested)
{
    var received = SumReceived(subscribers);
    var owed = Owed(publishers, options.QoS) * subscribers.Length;
    var qos0Done = options.QoS > 0 || publishing.TrueForAll(t => t.IsCompleted);
    if (received >= owed && SumInflight(publishers) == 0 && qos0Done)
    {
        break;
    }

    if (received != lastCount)
    {
        (lastCount, lastProgress) = (received, drainClock.Elapsed);
    }
    else if (drainClock.Elapsed - lastProgress > drainQuiet)
    {
        break;
    }

    await Task.Delay(20, CancellationToken.None);
}

await cts.CancelAsync();
foreach (var connection in subscribers.Cast<Connection>().Concat(publishers))
{
    connection.Close();
}

try
{
    await Task.WhenAll(publishing.Concat(loops)).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
}
catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException or TimeoutException)
{
    // The connections were closed under their loops on purpose.
}

var latency = new LatencyRecorder();
foreach (var r in recorders)
{
    latency.Add(r);
}

var totalSent = SumSent(publishers);
var totalAcked = options.QoS == 0 ? totalSent : publishers.Sum(x => x.Acked);
var expected = totalAcked * subscribers.Length;
var totalReceived = SumReceived(subscribers);
var results = new BenchResults(
    scenarioName,
    options.QoS,
    publishers.Length,
    subscribers.Length,
    options.PayloadSize,
    Math.Round(elapsed, 3),
    totalSent,
    totalAcked,
    expected,
    totalReceived,
    expected - totalReceived,
    Math.Round(sentInWindow / elapsed),
    Math.Round(receivedInWindow / elapsed),
    Math.Round(latency.QuantileMicroseconds(0.50), 1),
    Math.Round(latency.QuantileMicroseconds(0.99), 1),
    Math.Round(latency.QuantileMicroseconds(0.999), 1),
    Math.Round(latency.MaxMicroseconds, 1),
    Math.Round(toolCpuSeconds, 3),
    Math.Round(toolCpuSeconds / elapsed * 100, 1),
    brokerCpuSeconds is double b ? Math.Round(b, 3) : null,
    brokerCpuSeconds is double c ? Math.Round(c / elapsed * 100, 1) : null,
    brokerRss,
    brokerPeak);
Console.Out.WriteLine(JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults));

foreach (var connection in subscribers.Cast<Connection>().Concat(publishers))
{
    connection.Dispose();
}

return 0;

static long SumSent(Publisher[] publishers) => publishers.Sum(p => p.Sent);

static long SumReceived(Subscriber[] subscribers) => subscribers.Sum(s => s.Received);

static int SumInflight(Publisher[] publishers) => publishers.Sum(p => p.Inflight);

// Publishes each subscriber is owed: at QoS 1 the acknowledged ones (the broker took
// responsibility), at QoS 0 every one written to the socket.
static long Owed(Publisher[] publishers, int qos) => qos == 0 ? SumSent(publishers) : publishers.Sum(p => p.Acked);
