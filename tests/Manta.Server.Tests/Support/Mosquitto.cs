using System.Globalization;

namespace Manta.Server.Tests.Support;

/// <summary>The Debian <c>mosquitto_pub</c> / <c>mosquitto_sub</c> programs against a <see cref="MantaServer"/>.</summary>
public static class Mosquitto
{
    /// <summary>The -V values of mosquitto's clients, as xUnit theory data.</summary>
    public static TheoryData<string> AllVersions => ["mqttv31", "mqttv311", "mqttv5"];

    /// <summary>Prefix of a message line in mosquitto_sub's output (set with -F), so debug lines (-d) are never mistaken for messages.</summary>
    public const string MessageMark = "MSG|";

    private static IEnumerable<string> Common(MantaServer server, string version) =>
        ["-h", server.Host, "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-V", version];

    /// <summary>Runs mosquitto_pub to completion (bounded) and asserts it exited 0.</summary>
    public static async Task PubAsync(MantaServer server, string version, params string[] arguments)
    {
        await using var process = ExternalProcess.Start("mosquitto_pub", [.. Common(server, version), .. arguments]);
        var code = await process.WaitForExitAsync(Timeouts.Process);
        Assert.True(code == 0, $"mosquitto_pub {string.Join(' ', arguments)} exited {code}\n{process.Describe()}");
    }

    /// <summary>
    /// Starts mosquitto_sub with -d (debug lines show the SUBACK) and a -F format that marks every
    /// message as <c>MSG|topic|qos|retain|payload</c>, then waits until its subscriptions are acknowledged.
    /// A -W timeout is always passed so the process ends by itself.
    /// </summary>
    public static Task<ExternalProcess> SubAsync(MantaServer server, string version, params string[] arguments) =>
        SubUntilAsync("received SUBACK", server, version, arguments);

    /// <summary>As <see cref="SubAsync"/>, but ready once a debug line contains <paramref name="readyMarker"/> (e.g. "received CONNACK" when queued messages may arrive, and -C end the process, before the SUBACK).</summary>
    public static async Task<ExternalProcess> SubUntilAsync(string readyMarker, MantaServer server, string version, params string[] arguments)
    {
        // stdbuf -oL: a pipe makes stdio block-buffered and the debug lines would only appear at exit.
        // stdbuf execs mosquitto_sub in place, so the PID we hold (and kill) is mosquitto_sub's.
        var process = ExternalProcess.Start(
            "stdbuf",
            ["-oL", "mosquitto_sub", .. Common(server, version), "-d", "-F", MessageMark + "%t|%q|%r|%p", "-W", "15", .. arguments]);
        try
        {
            await process.WaitForLineAsync(l => l.Contains(readyMarker, StringComparison.Ordinal), what: $"'{readyMarker}'");
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }

        return process;
    }

    /// <summary>The messages a mosquitto_sub started by <see cref="SubAsync"/> printed so far.</summary>
    public static IReadOnlyList<SubMessage> Messages(ExternalProcess process) =>
        [.. process.StdoutLines.Where(l => l.StartsWith(MessageMark, StringComparison.Ordinal)).Select(SubMessage.Parse)];

    /// <summary>Waits for <paramref name="count"/> messages (bounded).</summary>
    public static async Task<IReadOnlyList<SubMessage>> WaitForMessagesAsync(ExternalProcess process, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Expect);
        while (true)
        {
            var messages = Messages(process);
            if (messages.Count >= count)
            {
                return messages;
            }

            if (DateTime.UtcNow > deadline || process.HasExited)
            {
                await Task.Delay(100);
                messages = Messages(process);
                return messages.Count >= count
                    ? messages
                    : throw new Xunit.Sdk.XunitException($"mosquitto_sub printed {messages.Count} of {count} messages.\n{process.Describe()}");
            }

            await Task.Delay(25);
        }
    }
}

/// <summary>One message line of mosquitto_sub (see <see cref="Mosquitto.SubAsync"/>).</summary>
public sealed record SubMessage(string Topic, int QoS, bool Retain, string Payload)
{
    public static SubMessage Parse(string line)
    {
        var parts = line[Mosquitto.MessageMark.Length..].Split('|', 4);
        return new SubMessage(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2] == "1", parts[3]);
    }
}
