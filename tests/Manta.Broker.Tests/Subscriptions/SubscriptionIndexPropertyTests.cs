using CsCheck;
using Manta.Broker.Diagnostics;
using Manta.Broker.Policy;
using Manta.Broker.Sessions;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Topics;

namespace Manta.Broker.Tests.Subscriptions;

/// <summary>The trie-and-dictionary index against the simple reference matcher, on generated filters and topics.</summary>
public sealed class SubscriptionIndexPropertyTests
{
    private static readonly string[] TopicLevels = ["a", "b", "$sys", "", "c"];

    private static readonly Gen<string> Topic =
        Gen.OneOf(TopicLevels).Array[1, 4].Select(levels => string.Join('/', levels));

    private static readonly Gen<string> Filter =
        Gen.OneOf("a", "b", "$sys", "", "+").Array[0, 4]
            .Select(Gen.Bool, (levels, hash) => levels.Length == 0 ? "#" : string.Join('/', levels) + (hash ? "/#" : string.Empty));

    [Fact]
    public void Index_matches_exactly_what_the_reference_matcher_matches()
    {
        Gen.Select(Filter.Array[1, 12], Topic.Array[1, 8]).Sample((filters, topics) =>
        {
            var index = new SubscriptionIndex();
            var subscriptions = filters.Distinct().Select((f, i) => new Subscription(NewSession($"s{i}"), f, QualityOfService.AtMostOnce)).ToList();
            foreach (var subscription in subscriptions)
            {
                index.Add(subscription);
            }

            var found = new List<Subscription>();
            foreach (var topic in topics)
            {
                found.Clear();
                index.Match(topic, found);
                var expected = subscriptions.Where(s => MqttTopic.Matches(s.TopicFilter, topic)).Select(s => s.TopicFilter).OrderBy(f => f, StringComparer.Ordinal);
                var actual = found.Select(s => s.TopicFilter).OrderBy(f => f, StringComparer.Ordinal);
                if (!expected.SequenceEqual(actual))
                {
                    return false;
                }
            }

            return true;
        }, iter: 3000);
    }

    [Fact]
    public void Removing_every_subscription_leaves_an_index_that_matches_nothing()
    {
        Filter.Array[1, 12].Sample(filters =>
        {
            var index = new SubscriptionIndex();
            var subscriptions = filters.Distinct().Select((f, i) => new Subscription(NewSession($"s{i}"), f, QualityOfService.AtMostOnce)).ToList();
            subscriptions.ForEach(index.Add);
            subscriptions.ForEach(s => Assert.True(index.Remove(s)));
            var found = new List<Subscription>();
            foreach (var filter in filters)
            {
                index.Match(filter.Replace("+", "a", StringComparison.Ordinal).Replace("#", "b", StringComparison.Ordinal), found);
            }

            return found.Count == 0 && index.Count == 0;
        }, iter: 1000);
    }

    private static Session NewSession(string clientId)
        => new(clientId, new BrokerPolicy(), new BrokerMetrics(null), new BrokerClock(TimeProvider.System));
}
