using System.Globalization;
using System.Text;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.Durability;

/// <summary>Numbered payloads and the checks on a received sequence that the durability tests share.</summary>
internal static class Deliveries
{
    /// <summary>A session that outlives its connection: clean session 0 (3.1.1), clean start 0 and a 1 h Session Expiry Interval (5.0).</summary>
    public static void Persistent(MqttClientOptionsBuilder options) => options.WithCleanSession(false).WithSessionExpiryInterval(3600);

    public static MqttProtocolVersion MqttNetVersion(byte level) => level == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;

    /// <summary>The payload of message <paramref name="index"/>.</summary>
    public static string Payload(int index) => index.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The index a payload from <see cref="Payload"/> carries (-1 for anything else).</summary>
    public static int Index(string payload) => int.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;

    /// <summary>
    /// Up to <paramref name="count"/> messages, in arrival order; stops early when none arrives
    /// for <see cref="Timeouts.Expect"/> (so a loss shows as a short list, not a timeout).
    /// </summary>
    public static async Task<List<int>> ReceiveAsync(NetClient client, int count)
    {
        var received = new List<int>(count);
        while (received.Count < count)
        {
            try
            {
                received.Add(Index((await client.NextAsync()).PayloadText));
            }
            catch (Xunit.Sdk.XunitException)
            {
                break;
            }
        }

        return received;
    }

    /// <summary>A short account of how <paramref name="received"/> differs from <paramref name="expected"/>: missing, extra and the first position out of order.</summary>
    public static string Explain(IReadOnlyList<int> expected, IReadOnlyList<int> received)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"expected {expected.Count} messages ({Range(expected)}), received {received.Count}");
        var missing = expected.Except(received).ToList();
        if (missing.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; missing {missing.Count}: {Range(missing)}");
        }

        var extra = received.GroupBy(i => i).Where(g => g.Count() > expected.Count(e => e == g.Key)).Select(g => g.Key).ToList();
        if (extra.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; unexpected or repeated: {Range(extra)}");
        }

        for (var i = 1; i < received.Count; i++)
        {
            if (received[i] < received[i - 1])
            {
                text.Append(CultureInfo.InvariantCulture, $"; out of order at position {i}: {received[i - 1]} then {received[i]}");
                break;
            }
        }

        return text.ToString();
    }

    /// <summary>"0-49, 60, 62-70": a compact list of indexes.</summary>
    public static string Range(IEnumerable<int> indexes)
    {
        var sorted = indexes.Distinct().Order().ToList();
        if (sorted.Count == 0)
        {
            return "none";
        }

        var parts = new List<string>();
        var start = sorted[0];
        for (var i = 1; i <= sorted.Count; i++)
        {
            if (i == sorted.Count || sorted[i] != sorted[i - 1] + 1)
            {
                var end = sorted[i - 1];
                parts.Add(start == end ? start.ToString(CultureInfo.InvariantCulture) : $"{start}-{end}");
                if (i < sorted.Count)
                {
                    start = sorted[i];
                }
            }
        }

        return string.Join(", ", parts.Count > 12 ? parts.Take(12).Append("...") : parts);
    }
}
