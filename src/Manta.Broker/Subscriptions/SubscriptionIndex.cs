using System.Collections.Concurrent;
using Manta.Protocol.Topics;

namespace Manta.Broker.Subscriptions;

/// <summary>
/// Who is subscribed to what. Filters without wildcards sit in a dictionary keyed by the whole
/// filter (one hash per publish); wildcard filters sit in a trie walked level by level, so the
/// cost of a publish grows with the matches, not with the number of subscriptions. Reads take no
/// lock; subscribe and unsubscribe serialise on one write lock.
/// </summary>
public sealed class SubscriptionIndex
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, Subscription[]> _exact = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly TopicTrieNode _root = new(null, string.Empty);
    private int _count;
    private int _wildcardCount;

    /// <summary>Creates an empty index.</summary>
    public SubscriptionIndex() => _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Number of subscriptions held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds a subscription.</summary>
    public void Add(Subscription subscription)
    {
        lock (_writeLock)
        {
            Update(subscription.TopicFilter, items => SubscriberArray.Add(items, subscription));
            _count++;
        }
    }

    /// <summary>Replaces <paramref name="old"/> with <paramref name="replacement"/> (same filter) so that no publication in between misses the subscriber.</summary>
    public void Replace(Subscription old, Subscription replacement)
    {
        lock (_writeLock)
        {
            Update(replacement.TopicFilter, items => SubscriberArray.Replace(items, old, replacement));
        }
    }

    /// <summary>Removes a subscription; false when it was not there.</summary>
    public bool Remove(Subscription subscription)
    {
        lock (_writeLock)
        {
            var removed = false;
            Update(subscription.TopicFilter, items =>
            {
                var result = SubscriberArray.Remove(items, subscription);
                removed = !ReferenceEquals(result, items);
                return result;
            });
            if (removed)
            {
                _count--;
            }

            return removed;
        }
    }

    /// <summary>Appends every subscription whose filter matches topic name <paramref name="topic"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> topic, List<Subscription> results)
    {
        if (_exactLookup.TryGetValue(topic, out var exact))
        {
            results.AddRange(exact);
        }

        if (Volatile.Read(ref _wildcardCount) > 0)
        {
            var dollar = topic.Length > 0 && topic[0] == '$';
            MatchLevel(_root, topic, dollar, results);
        }
    }

    private static void MatchLevel(TopicTrieNode node, ReadOnlySpan<char> rest, bool skipWildcards, List<Subscription> results)
    {
        // rest holds the levels still to match; a null-terminated walk ends when there is no separator left.
        var slash = rest.IndexOf('/');
        var level = slash < 0 ? rest : rest[..slash];

        if (!skipWildcards)
        {
            var multi = node.MultiLevel;
            if (multi is not null)
            {
                results.AddRange(multi.Subscribers);
            }

            var single = node.SingleLevel;
            if (single is not null)
            {
                Continue(single, rest, slash, results);
            }
        }

        if (node.ChildLookup.TryGetValue(level, out var child))
        {
            Continue(child, rest, slash, results);
        }
    }

    private static void Continue(TopicTrieNode node, ReadOnlySpan<char> rest, int slash, List<Subscription> results)
    {
        if (slash < 0)
        {
            // The topic ends here: filters ending here match, and so does "x/#" for topic "x".
            results.AddRange(node.Subscribers);
            var multi = node.MultiLevel;
            if (multi is not null)
            {
                results.AddRange(multi.Subscribers);
            }

            return;
        }

        MatchLevel(node, rest[(slash + 1)..], skipWildcards: false, results);
    }

    private void Update(string filter, Func<Subscription[], Subscription[]> change)
    {
        if (!MqttTopic.HasWildcards(filter))
        {
            var current = _exact.TryGetValue(filter, out var items) ? items : [];
            var next = change(current);
            if (next.Length == 0)
            {
                _exact.TryRemove(filter, out _);
            }
            else
            {
                _exact[filter] = next;
            }

            return;
        }

        var node = _root;
        foreach (var range in filter.AsSpan().Split('/'))
        {
            var level = filter[range];
            node = level switch
            {
                "+" => node.SingleLevel ??= new TopicTrieNode(node, level),
                "#" => node.MultiLevel ??= new TopicTrieNode(node, level),
                _ => node.Children.GetOrAdd(level, static (key, parent) => new TopicTrieNode(parent, key), node),
            };
        }

        var before = node.Subscribers.Length;
        node.Subscribers = change(node.Subscribers);
        _wildcardCount += node.Subscribers.Length - before;
        Prune(node);
    }

    private static void Prune(TopicTrieNode node)
    {
        while (node.Parent is { } parent && node.IsEmpty)
        {
            if (ReferenceEquals(parent.SingleLevel, node))
            {
                parent.SingleLevel = null;
            }
            else if (ReferenceEquals(parent.MultiLevel, node))
            {
                parent.MultiLevel = null;
            }
            else
            {
                parent.Children.TryRemove(node.Key, out _);
            }

            node = parent;
        }
    }
}
