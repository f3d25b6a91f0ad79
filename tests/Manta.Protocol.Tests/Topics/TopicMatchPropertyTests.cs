using System.Text.RegularExpressions;
using CsCheck;
using Manta.Protocol.Topics;

namespace Manta.Protocol.Tests.Topics;

public class TopicMatchPropertyTests
{
    private static readonly Gen<string> Filter = Gen.Select(
        Gen.OneOf("a", "b", "$sys", "", "+").List[1, 4],
        Gen.Bool,
        (levels, hash) => hash ? string.Join('/', [.. levels, "#"]) : string.Join('/', levels));

    private static readonly Gen<string> Topic = Gen.OneOf("a", "b", "$sys", "").List[1, 4].Select(levels => string.Join('/', levels));

    /// <summary>A second formulation: the filter turned into a regular expression.</summary>
    private static bool RegexMatches(string filter, string topic)
    {
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#')))
        {
            return false;
        }

        var levels = filter.Split('/');
        var parts = new List<string>();
        var pattern = string.Empty;
        for (var i = 0; i < levels.Length; i++)
        {
            if (levels[i] == "#")
            {
                // Zero or more further levels, parent included.
                pattern = i == 0 ? ".*" : string.Join("/", parts) + "(/.*)?";
                break;
            }

            parts.Add(levels[i] == "+" ? "[^/]*" : Regex.Escape(levels[i]));
            pattern = string.Join("/", parts);
        }

        return Regex.IsMatch(topic, "^" + pattern + "$", RegexOptions.CultureInvariant);
    }

    [Fact]
    public void Matches_agrees_with_a_regular_expression()
        => Gen.Select(Filter, Topic).Sample(
            (filter, topic) => Assert.Equal(RegexMatches(filter, topic), MqttTopic.Matches(filter, topic)),
            iter: 20000);

    [Fact]
    public void Generated_filters_are_valid_and_topics_match_themselves()
        => Gen.Select(Filter, Topic).Sample(
            (filter, topic) =>
            {
                Assert.Equal(filter.Length > 0, MqttTopic.IsValidTopicFilter(filter));
                Assert.True(MqttTopic.Matches(topic, topic));
                Assert.Equal(topic.Length > 0, MqttTopic.IsValidTopicName(topic));
            },
            iter: 2000);
}
