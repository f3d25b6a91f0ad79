using System.Net.Sockets;
using System.Text.Json;
using Manta.Bench;

// manta-bench: an MQTT 3.1.1 / 5.0 load generator. See BenchOptions.Usage and README.md.

// Socket completions run their continuation (parse, count, reply) on the epoll thread that saw
// them instead of queueing it to the thread pool: one thread hop less per socket read, which
// is most of the tool's user time. Every continuation here is short and never blocks. Read
// once, when the first socket is used, so it must be set before; an explicit setting wins.
const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
{
    Environment.SetEnvironmentVariable(InlineCompletions, "1");
}
var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    if (!string.IsNullOrEmpty(error))
    {
        Console.Error.WriteLine(error);
        Console.Error.WriteLine("see manta-bench --help");
        return 2;
    }

    Console.Error.WriteLine(BenchOptions.Usage);
    return 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

// Connections open at once: source addresses are spread over them.
var concurrent = options.Scenario switch
{
    BenchScenario.Idle => options.Connections ?? 0,
    BenchScenario.Connect => options.Parallel,
    _ => options.Publishers + options.Subscribers,
};

// The broker's memory before the tool opened any connection (idle: the per-connection baseline).
var rssBefore = options.BrokerPid is int pid ? ProcStat.StatusKib(pid, "VmRSS") : null;
var context = new RunContext(options, options.SourceAddressesFor(concurrent), rssBefore, cts.Token);
BenchResults results;
try
{
    results = options.Scenario switch
    {
        BenchScenario.Idle => await IdleRun.RunAsync(context),
        BenchScenario.Connect => await new ConnectStorm(context).RunAsync(),
        _ => await PubSubRun.RunAsync(context),
    };
}
catch (BenchSetupException ex)
{
    Console.Error.WriteLine($"setup failed: {ex.Message}");
    return 1;
}
catch (SocketException ex)
{
    Console.Error.WriteLine($"setup failed: {ex.SocketErrorCode} ({ex.Message}); broker {context.Broker}");
    return 1;
}

Console.Out.WriteLine(JsonSerializer.Serialize(results, BenchJsonContext.Default.BenchResults));
return 0;
