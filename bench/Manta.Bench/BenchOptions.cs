using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Manta.Bench;

/// <summary>Command-line options of the load generator, parsed without a library.</summary>
/// <remarks>Options a scenario does not use are accepted and ignored, so one argument list can drive every scenario.</remarks>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: manta-bench [options]
          --scenario <name>        fanin | fanout | pairs | idle | connect (default fanin)
                                     fanin:   N publishers on bench/fanin/{i} -> subscribers on bench/fanin/+
                                     fanout:  publishers on bench/fanout -> M subscribers on bench/fanout
                                     pairs:   publisher i -> subscriber i on bench/pair/{i}
                                     idle:    K connections that only keep alive; broker RSS per connection
                                     connect: CONNECT/CONNACK/DISCONNECT/close as fast as possible
          --host <addr>            broker IP address (default 127.0.0.1)
          --port <n>               broker port (default 1883)
          --protocol <3.1.1|5>     MQTT version (default 3.1.1)
          --qos <0|1|2>            QoS of publishes and subscriptions (default 0)
          --publishers <n>         fanin/fanout publishers (default: fanin 8, fanout 1)
          --subscribers <n>        fanin/fanout subscribers (default: fanin 1, fanout 100)
          --pairs <n>              pairs: publisher/subscriber pairs (default 50)
          --payload <bytes>        payload size, at least 16: timestamp and sequence number (default 64)
          --rate <msg/s>           total publish rate over all publishers, evenly paced;
                                   0 = closed loop, as fast as possible (default 0)
          --inflight <n>           QoS 1/2 unacknowledged publishes per publisher (default 64;
                                   lowered to the broker's Receive Maximum in MQTT 5.0)
          --connections <n>        idle: connections to hold (default 1000);
                                   connect: connections to open (default: until --duration ends)
          --parallel <n>           handshakes in flight at once, in setup and in connect (default 64)
          --source-addresses <n>   bind client sockets to 127.0.0.1 .. 127.0.0.<n> in turn, for more
                                   than ~28k connections (default: one per 20,000 connections)
          --keepalive <seconds>    keep-alive sent in CONNECT; the tool sends PINGREQ after half of
                                   it without traffic (default 30; 0 = off)
          --clean <true|false>     false: subscribers keep persistent sessions (clean session 0;
                                   5.0: clean start 0, Session Expiry Interval 3600) under client ids
                                   that are the same in every run (default true)
          --duration <seconds>     measured time (default 10)
          --broker-pid <pid>       read the broker's CPU time and RSS from /proc/<pid>
          -h, --help               this text
        Progress once a second on stderr; one JSON line of results on stdout.
        Exit code: 0 done, 1 setup failed (cannot connect, broker refused), 2 bad options.
        """;

    /// <summary>Connections per source address when --source-addresses is not given: well under the ~28,000 ephemeral ports of one address.</summary>
    public const int ConnectionsPerSourceAddress = 20_000;

    /// <summary>Session Expiry Interval of persistent subscriber sessions in 5.0 (<c>--clean false</c>): one hour, longer than any run.</summary>
    public const uint PersistentSessionExpirySeconds = 3600;

    /// <summary>Broker address; default 127.0.0.1.</summary>
    public IPAddress Host { get; private set; } = IPAddress.Loopback;

    /// <summary>Broker port; default 1883.</summary>
    public int Port { get; private set; } = 1883;

    /// <summary>Traffic shape; default fan-in.</summary>
    public BenchScenario Scenario { get; private set; } = BenchScenario.FanIn;

    /// <summary>MQTT version; default 3.1.1.</summary>
    public MqttVersion Protocol { get; private set; } = MqttVersion.V311;

    /// <summary>QoS 0, 1 or 2; default 0.</summary>
    public int QoS { get; private set; }

    /// <summary>Publisher connections; default 8 for fan-in, 1 for fan-out, <see cref="Pairs"/> for pairs.</summary>
    public int Publishers { get; private set; }

    /// <summary>Subscriber connections; default 1 for fan-in, 100 for fan-out, <see cref="Pairs"/> for pairs.</summary>
    public int Subscribers { get; private set; }

    /// <summary>Publisher/subscriber pairs of the pairs scenario; default 50.</summary>
    public int Pairs { get; private set; } = 50;

    /// <summary>Payload bytes; default 64, at least 16 (send timestamp, publisher index and sequence number).</summary>
    public int PayloadSize { get; private set; } = 64;

    /// <summary>Total publishes per second over all publishers; 0 (the default) is closed loop.</summary>
    public double Rate { get; private set; }

    /// <summary>Unacknowledged QoS 1 and 2 publishes per publisher; default 64, emqtt-bench's and MQTTnet's usual inflight limit.</summary>
    public int Inflight { get; private set; } = 64;

    /// <summary>Idle: connections to hold (default 1000). Connect: connections to open, or null to run for the duration.</summary>
    public int? Connections { get; private set; }

    /// <summary>Handshakes in flight at once; default 64, so a large setup does not look like a SYN flood.</summary>
    public int Parallel { get; private set; } = 64;

    /// <summary>Source addresses 127.0.0.1..n to bind client sockets to; 0 (the default) picks one per <see cref="ConnectionsPerSourceAddress"/> connections.</summary>
    public int SourceAddresses { get; private set; }

    /// <summary>Keep-alive seconds sent in CONNECT; default 30, 0 turns it off.</summary>
    public ushort KeepAliveSeconds { get; private set; } = 30;

    /// <summary>
    /// True (the default): every connection starts a clean session. False: subscribers (fanin,
    /// fanout, pairs) connect with clean session 0 (3.1.1) or clean start 0 and a Session Expiry
    /// Interval of <see cref="PersistentSessionExpirySeconds"/> (5.0), so the broker keeps (and, if
    /// durable, stores) their sessions and what is queued and in flight for them.
    /// </summary>
    public bool CleanSession { get; private set; } = true;

    /// <summary>Measured seconds; default 10.</summary>
    public int DurationSeconds { get; private set; } = 10;

    /// <summary>The broker's process id, for CPU time and RSS from /proc; none by default.</summary>
    public int? BrokerPid { get; private set; }

    /// <summary>The protocol version as written in the results: "3.1.1" or "5".</summary>
    public string ProtocolName => Protocol == MqttVersion.V500 ? "5" : "3.1.1";

    /// <summary>Parses <paramref name="args"/>; returns null and writes the reason to <paramref name="error"/> when they are invalid (an empty reason for --help).</summary>
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
                        "PAIRS" => BenchScenario.Pairs,
                        "IDLE" => BenchScenario.Idle,
                        "CONNECT" => BenchScenario.Connect,
                        _ => Fail<BenchScenario>(ref error, $"--scenario: '{value}' is not fanin, fanout, pairs, idle or connect"),
                    };
                    break;
                case "--protocol":
                    o.Protocol = value switch
                    {
                        "3.1.1" or "311" => MqttVersion.V311,
                        "5" or "5.0" => MqttVersion.V500,
                        _ => Fail<MqttVersion>(ref error, $"--protocol: '{value}' is not 3.1.1 or 5"),
                    };
                    break;
                case "--qos": o.QoS = ParseInt(name, value, 0, 2, ref error); break;
                case "--publishers": publishers = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--subscribers": subscribers = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--pairs": o.Pairs = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--payload": o.PayloadSize = ParseInt(name, value, PayloadTag.Size, 16 * 1024 * 1024, ref error); break;
                case "--rate":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1e9 || double.IsNaN(rate))
                    {
                        error = $"--rate: '{value}' is not a number of messages per second in [0, 1e9]";
                    }

                    o.Rate = rate;
                    break;
                case "--inflight": o.Inflight = ParseInt(name, value, 1, 65_535, ref error); break;
                case "--connections": o.Connections = ParseInt(name, value, 1, 10_000_000, ref error); break;
                case "--parallel": o.Parallel = ParseInt(name, value, 1, 100_000, ref error); break;
                case "--source-addresses": o.SourceAddresses = ParseInt(name, value, 1, 254, ref error); break;
                case "--keepalive": o.KeepAliveSeconds = (ushort)ParseInt(name, value, 0, 65_535, ref error); break;
                case "--clean":
                    o.CleanSession = value.ToUpperInvariant() switch
                    {
                        "TRUE" => true,
                        "FALSE" => false,
                        _ => Fail<bool>(ref error, $"--clean: '{value}' is not true or false"),
                    };
                    break;
                case "--duration": o.DurationSeconds = ParseInt(name, value, 1, 86_400, ref error); break;
                case "--broker-pid":
                    o.BrokerPid = ParseInt(name, value, 1, int.MaxValue, ref error);
                    if (error is null && !Directory.Exists($"/proc/{o.BrokerPid}"))
                    {
                        error = $"--broker-pid: no process {o.BrokerPid}";
                    }

                    break;
                default:
                    error = $"unknown option {name}";
                    return null;
            }

            if (error is not null)
            {
                return null;
            }
        }

        (o.Publishers, o.Subscribers) = o.Scenario switch
        {
            BenchScenario.FanIn => (publishers ?? 8, subscribers ?? 1),
            BenchScenario.FanOut => (publishers ?? 1, subscribers ?? 100),
            BenchScenario.Pairs => (o.Pairs, o.Pairs),
            _ => (0, 0),
        };
        if (o.Scenario == BenchScenario.Idle)
        {
            o.Connections ??= 1000;
        }

        if (o.SourceAddresses > 0 && !IsIPv4Loopback(o.Host))
        {
            error = "--source-addresses: binding to 127.0.0.x needs a --host in 127.0.0.0/8";
            return null;
        }

        return o;
    }

    /// <summary>
    /// The addresses to bind client sockets to, in turn; null to let the kernel pick (one
    /// address is enough). <paramref name="connections"/> is how many the run opens at once.
    /// </summary>
    public IPAddress[]? SourceAddressesFor(int connections)
    {
        var n = SourceAddresses;
        if (n == 0)
        {
            n = IsIPv4Loopback(Host) ? Math.Min(254, (connections + ConnectionsPerSourceAddress - 1) / ConnectionsPerSourceAddress) : 1;
            if (n <= 1)
            {
                return null;
            }
        }

        var addresses = new IPAddress[n];
        for (var i = 0; i < n; i++)
        {
            addresses[i] = new IPAddress(new byte[] { 127, 0, 0, (byte)(i + 1) });
        }

        return addresses;
    }

    private static bool IsIPv4Loopback(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 127;

    private static int ParseInt(string name, string value, int min, int max, ref string? error)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        error = $"{name}: '{value}' is not an integer in [{min}, {max}]";
        return 0;
    }

    private static T Fail<T>(ref string? error, string message)
        where T : struct
    {
        error = message;
        return default;
    }
}
