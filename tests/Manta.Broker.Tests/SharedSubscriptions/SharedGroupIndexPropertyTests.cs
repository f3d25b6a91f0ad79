using CsCheck;
using Manta.Broker.Diagnostics;
using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Sessions;
using Manta.Broker.Subscriptions;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Topics;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>
/// Shared groups in the trie-and-dictionary index against the reference matcher: a topic yields
/// each matching group exactly once (whatever its number of members), each group holds exactly
/// its members, and every strategy picks exactly one of them.
/// </summary>
public sealed class SharedGroupIndexPropertyTests
{
    private static readonly string[] TopicLevels = ["a", "b", "$sys", "", "c"];

    private static readonly Gen<string> Topic =
        Gen.OneOf(TopicLevels).Array[1, 4].Select(levels => string.Join('/', levels));

    private static readonly Gen<string> Filter =
        Gen.OneOf("a", "b", "$sys", "", "+").Array[0, 4]
            .Select(Gen.Bool, (levels, hash) => levels.Length == 0 ? "#" : string.Join('/', levels) + (hash ? "/#" : string.Empty));

    // A subscription: ordinary (no group) or shared in one of a few groups, by one of a few sessions.
    private static readonly Gen<(string? Group, string Filter, int Session)> Entry =
        Gen.Select(Gen.OneOf("", "g1", "g2", "$queue"), Filter, Gen.Int[0, 5]).Select(e => (e.Item1.Length == 0 ? null : e.Item1, e.Item2, e.Item3));

    private static readonly MessageFactory Messages = new(new MessagePool(), new BrokerClock(TimeProvider.System));

    [Fact]
    public void Each_matching_group_is_found_once_and_picks_exactly_one_member()
    {
        Gen.Select(Entry.Array[1, 16], Topic.Array[1, 8]).Sample((entries, topics) =>
        {
            var sessions = Enumerable.Range(0, 6).Select(i => NewSession($"s{i}")).ToArray();
            var index = new SubscriptionIndex();
            var subscriptions = entries
                .DistinctBy(e => (e.Group, e.Filter, e.Session))
                .Select(e => new Subscription(sessions[e.Session], e.Group is null ? e.Filter : $"$share/{e.Group}/{e.Filter}", QualityOfService.AtMostOnce))
                .ToList();
            subscriptions.ForEach(index.Add);

            var found = new List<Subscription>();
            var groups = new List<SharedGroup>();
            foreach (var topic in topics)
            {
                found.Clear();
                groups.Clear();
                index.Match(topic, found, groups);
                var matching = subscriptions.Where(s => MqttTopic.Matches(s.Filter, topic)).ToList();

                var expectedOrdinary = matching.Where(s => !s.IsShared).Select(s => s.TopicFilter).Order(StringComparer.Ordinal);
                if (!expectedOrdinary.SequenceEqual(found.Select(s => s.TopicFilter).Order(StringComparer.Ordinal)))
                {
                    return false;
                }

                var expectedGroups = matching.Where(s => s.IsShared).Select(s => s.TopicFilter).Distinct().Order(StringComparer.Ordinal);
                if (!expectedGroups.SequenceEqual(groups.Select(g => $"$share/{g.ShareName}/{g.Filter}").Order(StringComparer.Ordinal)))
                {
                    return false;
                }

                // Pick reads the publisher from the message and the topic from its argument (generated topics may be invalid names, like "").
                var message = Messages.FromPacket(new PublishPacket { Topic = "a", Payload = new byte[1] });
                try
                {
                    foreach (var group in groups)
                    {
                        var members = subscriptions.Where(s => s.IsShared && s.ShareName == group.ShareName && s.Filter == group.Filter).ToHashSet();
                        if (!members.SetEquals(group.Members))
                        {
                            return false;
                        }

                        foreach (var strategy in Enum.GetValues<SharedSubscriptionStrategy>())
                        {
                            if (group.Pick(strategy, message, topic) is not { } picked || !members.Contains(picked))
                            {
                                return false;
                            }
                        }
                    }
                }
                finally
                {
                    message.Release();
                }
            }

            return true;
        }, iter: 2000);
    }

    [Fact]
    public void Removing_every_member_removes_the_groups()
    {
        Entry.Array[1, 16].Sample(entries =>
        {
            var sessions = Enumerable.Range(0, 6).Select(i => NewSession($"s{i}")).ToArray();
            var index = new SubscriptionIndex();
            var subscriptions = entries
                .DistinctBy(e => (e.Group, e.Filter, e.Session))
                .Select(e => new Subscription(sessions[e.Session], e.Group is null ? e.Filter : $"$share/{e.Group}/{e.Filter}", QualityOfService.AtMostOnce))
                .ToList();
            subscriptions.ForEach(index.Add);
            subscriptions.ForEach(s => Assert.True(index.Remove(s)));

            var found = new List<Subscription>();
            var groups = new List<SharedGroup>();
            foreach (var subscription in subscriptions)
            {
                index.Match(subscription.Filter.Replace("+", "a", StringComparison.Ordinal).Replace("#", "b", StringComparison.Ordinal), found, groups);
                if (subscription.ShareName is { } share && index.FindGroup(share, subscription.Filter) is not null)
                {
                    return false;
                }
            }

            return found.Count == 0 && groups.Count == 0 && index.Count == 0 && !index.HasSharedSubscriptions;
        }, iter: 1000);
    }

    private static Session NewSession(string clientId)
        => new(clientId, new BrokerPolicy(), new BrokerMetrics(null), new BrokerClock(TimeProvider.System));
}
