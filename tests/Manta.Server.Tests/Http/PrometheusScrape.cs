using System.Globalization;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Http;

/// <summary>One scrape of <c>/metrics</c> in the Prometheus text format, read the simple way a test needs.</summary>
public sealed class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // name{label="value",...} value [timestamp]
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            string name;
            string rest;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                foreach (var pair in line[(brace + 1)..close].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                }

                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }

            var value = rest.Split(' ')[0];
            _samples.Add((name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }
    }

    /// <summary>The raw text.</summary>
    public string Text { get; }

    /// <summary>Scrapes <paramref name="server"/>'s <c>/metrics</c>.</summary>
    public static async Task<PrometheusScrape> FromAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Polls <c>/metrics</c> until <paramref name="condition"/> holds (the exporter caches a scrape for 300 ms, and the broker counts after the client's call returns).</summary>
    public static async Task<PrometheusScrape> WaitAsync(HttpClient http, Func<PrometheusScrape, bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeouts.Expect;
        while (true)
        {
            var scrape = await FromAsync(http);
            if (condition(scrape))
            {
                return scrape;
            }

            if (DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Whether a metric family of that name (as a sample name) appears.</summary>
    public bool Has(string name) => _samples.Exists(s => s.Name == name);

    /// <summary>The sum of the samples named <paramref name="name"/> carrying every label of <paramref name="labels"/> (0 when none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels)
    {
        double total = 0;
        foreach (var (sampleName, sampleLabels, value) in _samples)
        {
            if (sampleName == name && Array.TrueForAll(labels, l => sampleLabels.TryGetValue(l.Label, out var v) && v == l.Value))
            {
                total += value;
            }
        }

        return total;
    }
}
