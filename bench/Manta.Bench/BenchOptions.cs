using System.Globalization;
using System.Net;

namespace Manta.Bench;

/// <summary>Command-line options of the load generator, parsed without a library.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: manta-bench [options]
          --host <addr>         broker address (default 127.0.0.1)
          --port <n>            broker port (default 1883)
          --scenario <name>     fanin | fanout (default fanin)
          --qos <0|1>           QoS of publishes and subscriptions (default 0)
          --publishers <n>      publisher connections (default: fanin 8, fanout 1)
          --subscribers <n>     subscriber connections (default: fanin 1, fanout 100)
          --payload <bytes>     payload size, at least 8 for the timestamp (default 64)
          --duration <seconds>  measured closed-loop time (default 10)
          --broker-pid <pid>    read the broker's CPU time and RSS from /proc/<pid>
        """;

    /// <summary>Broker address; default 127.0.0.1.</summary>
    public IPAddress Host { get; private set; } = IPAddress.Loopback;

    /// <summary>Broker port; default 1883.</summary>
    public int Port { get; private set; } = 1883;

    /// <summary>Traffic shape; default fan-in.</summary>
    public BenchScenario Scenario { get; private set; } = BenchScenario.FanIn;

    /// <summary>QoS 0 or 1; default 0.</summary>
    public int QoS { get; private set; }

    /// <summary>Publisher connections; default 8 for fan-in, 1 for fan-out.</summary>
    public int Publishers { get; private set; }

    /// <summary>Subscriber connections; default 1 for fan-in, 100 for fan-out.</summary>
    public int Subscribers { get; private set; }

    /// <summary>Payload bytes; default 64, at least 8 (the first 8 carry the send timestamp).</summary>
    public int PayloadSize { get; private set; } = 64;

    /// <summary>Seconds of closed-loop publishing that are measured; default 10.</summary>
    public int DurationSeconds { get; private set; } = 10;

    /// <summary>The broker's process id, for CPU time and RSS from /proc; none by default.</summary>
    public int? BrokerPid { get; private set; }

    /// <summary>Parses <paramref name="args"/>; returns null and writes the reason to <paramref name="error"/> when they are invalid.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var o = new BenchOptions();
        int? publishers = null;
        int? subscribers = null;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error = string.Empty;
                return null;
            }

            if (i + 1 >= args.Length)
            {
                error = $"option {name} needs a value";
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--host":
                    if (!IPAddress.TryParse(value, out var address))
                    {
                        error = $"--host: '{value}' is not an IP address";
                        return null;
                    }

                    o.Host = address;
                    break;
                case "--port": o.Port = ParseInt(name, value, 1, 65535, ref error); break;
                case "--scenario":
                    o.Scenario = value.ToUpperInvariant() switch
                    {
                        "FANIN" => BenchScenario.FanIn,
                        "FANOUT" => BenchScenario.FanOut,
                        _ => Fail(ref error, $"--scenario: '{value}' is not fanin or fanout"),
                    };
                    break;
                case "--qos": o.QoS = ParseInt(name, value, 0, 1, ref error); break;
                case "--publishers": publishers = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--subscribers": subscribers = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--payload": o.PayloadSize = ParseInt(name, value, 8, 1024 * 1024, ref error); break;
                case "--duration": o.DurationSeconds = ParseInt(name, value, 1, 3600, ref error); break;
                case "--broker-pid": o.BrokerPid = ParseInt(name, value, 1, int.MaxValue, ref error); break;
                default:
                    error = $"unknown option {name}";
                    return null;
            }

            if (error is not null)
            {
                return null;
            }
        }

        o.Publishers = publishers ?? (o.Scenario == BenchScenario.FanIn ? 8 : 1);
        o.Subscribers = subscribers ?? (o.Scenario == BenchScenario.FanIn ? 1 : 100);
        return o;
    }

    private static int ParseInt(string name, string value, int min, int max, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        error = $"{name}: '{value}' is not an integer in [{min}, {max}]";
        return 0;
    }

    private static BenchScenario Fail(ref string? error, string message)
    {
        error = message;
        return default;
    }
}
