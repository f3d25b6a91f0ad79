using System.Collections.Concurrent;
using Manta.Protocol.Topics;

namespace Manta.Broker.Subscriptions;

/// <summary>
/// Who is subscribed to what. Filters without wildcards sit in a dictionary keyed by the whole
/// filter (one hash per publish); wildcard filters sit in a trie walked level by level, so the
/// cost of a publish grows with the matches, not with the number of subscriptions. Shared
/// subscriptions (<c>$share/{group}/{filter}</c>) are filed the same way under their filter, as
/// <see cref="SharedGroup"/>s beside the ordinary subscribers: a match yields each matching group
/// once, whatever its number of members. Reads take no lock; subscribe and unsubscribe serialise
/// on one write lock.
/// </summary>
public sealed class SubscriptionIndex
{
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<string, Subscription[]> _exact = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription[]>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly ConcurrentDictionary<string, SharedGroup[]> _sharedExact = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SharedGroup[]>.AlternateLookup<ReadOnlySpan<char>> _sharedExactLookup;
    private readonly TopicTrieNode _root = new(null, string.Empty);
    private int _count;
    private int _sharedCount;
    private int _sharedExactCount;

    // Subscriptions (ordinary and shared) held in the trie; 0 skips the walk.
    private int _wildcardCount;

    /// <summary>Creates an empty index.</summary>
    public SubscriptionIndex()
    {
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _sharedExactLookup = _sharedExact.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of subscriptions held, shared memberships included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>True when any shared subscription exists (read by the router before it asks for groups).</summary>
    public bool HasSharedSubscriptions => Volatile.Read(ref _sharedCount) > 0;

    /// <summary>Adds a subscription (a shared one joins its group, which is created if needed).</summary>
    public void Add(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_writeLock)
        {
            Update(subscription, items => SubscriberArray.Add(items, subscription));
            _count++;
            if (subscription.IsShared)
            {
                _sharedCount++;
            }
        }
    }

    /// <summary>Replaces <paramref name="old"/> with <paramref name="replacement"/> (same filter) so that no publication in between misses the subscriber.</summary>
    public void Replace(Subscription old, Subscription replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        lock (_writeLock)
        {
            Update(replacement, items => SubscriberArray.Replace(items, old, replacement));
        }
    }

    /// <summary>Removes a subscription; false when it was not there.</summary>
    public bool Remove(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_writeLock)
        {
            var removed = false;
            Update(subscription, items =>
            {
                var result = SubscriberArray.Remove(items, subscription);
                removed = !ReferenceEquals(result, items);
                return result;
            });
            if (removed)
            {
                _count--;
                if (subscription.IsShared)
                {
                    _sharedCount--;
                }
            }

            return removed;
        }
    }

    /// <summary>The group <c>$share/{shareName}/{filter}</c> as it is now, or null when it has no member.</summary>
    public SharedGroup? FindGroup(string shareName, string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        SharedGroup[] groups;
        if (!MqttTopic.HasWildcards(filter))
        {
            if (!_sharedExact.TryGetValue(filter, out var found))
            {
                return null;
            }

            groups = found;
        }
        else
        {
            var node = _root;
            foreach (var range in filter.AsSpan().Split('/'))
            {
                var level = filter.AsSpan()[range];
                TopicTrieNode? next = level switch
                {
                    "+" => node.SingleLevel,
                    "#" => node.MultiLevel,
                    _ => node.ChildLookup.TryGetValue(level, out var child) ? child : null,
                };
                if (next is null)
                {
                    return null;
                }

                node = next;
            }

            groups = node.Groups;
        }

        foreach (var group in groups)
        {
            if (string.Equals(group.ShareName, shareName, StringComparison.Ordinal))
            {
                return group;
            }
        }

        return null;
    }

    /// <summary>Appends every ordinary subscription whose filter matches topic name <paramref name="topic"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> topic, List<Subscription> results) => Match(topic, results, null);

    /// <summary>
    /// Appends every ordinary subscription whose filter matches topic name <paramref name="topic"/>
    /// to <paramref name="results"/> and, when <paramref name="groups"/> is given, every shared
    /// group whose filter matches it, each once.
    /// </summary>
    public void Match(ReadOnlySpan<char> topic, List<Subscription> results, List<SharedGroup>? groups)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (_exactLookup.TryGetValue(topic, out var exact))
        {
            results.AddRange(exact);
        }

        if (groups is not null && Volatile.Read(ref _sharedExactCount) > 0 && _sharedExactLookup.TryGetValue(topic, out var exactGroups))
        {
            groups.AddRange(exactGroups);
        }

        if (Volatile.Read(ref _wildcardCount) > 0)
        {
            var dollar = topic.Length > 0 && topic[0] == '$';
            MatchLevel(_root, topic, dollar, results, groups);
        }
    }

    private static void MatchLevel(TopicTrieNode node, ReadOnlySpan<char> rest, bool skipWildcards, List<Subscription> results, List<SharedGroup>? groups)
    {
        // rest holds the levels still to match; a null-terminated walk ends when there is no separator left.
        var slash = rest.IndexOf('/');
        var level = slash < 0 ? rest : rest[..slash];

        if (!skipWildcards)
        {
            var multi = node.MultiLevel;
            if (multi is not null)
            {
                Collect(multi, results, groups);
            }

            var single = node.SingleLevel;
            if (single is not null)
            {
                Continue(single, rest, slash, results, groups);
            }
        }

        if (node.ChildLookup.TryGetValue(level, out var child))
        {
            Continue(child, rest, slash, results, groups);
        }
    }

    private static void Continue(TopicTrieNode node, ReadOnlySpan<char> rest, int slash, List<Subscription> results, List<SharedGroup>? groups)
    {
        if (slash < 0)
        {
            // The topic ends here: filters ending here match, and so does "x/#" for topic "x".
            Collect(node, results, groups);
            var multi = node.MultiLevel;
            if (multi is not null)
            {
                Collect(multi, results, groups);
            }

            return;
        }

        MatchLevel(node, rest[(slash + 1)..], skipWildcards: false, results, groups);
    }

    private static void Collect(TopicTrieNode node, List<Subscription> results, List<SharedGroup>? groups)
    {
        results.AddRange(node.Subscribers);
        if (groups is not null)
        {
            var nodeGroups = node.Groups;
            if (nodeGroups.Length > 0)
            {
                groups.AddRange(nodeGroups);
            }
        }
    }

    private void Update(Subscription subscription, Func<Subscription[], Subscription[]> change)
    {
        var filter = subscription.Filter;
        var shareName = subscription.ShareName;
        if (!MqttTopic.HasWildcards(filter))
        {
            if (shareName is not null)
            {
                var groups = _sharedExact.TryGetValue(filter, out var found) ? found : [];
                var nextGroups = ChangeGroup(groups, shareName, filter, change, out _);
                if (nextGroups.Length == 0)
                {
                    _sharedExact.TryRemove(filter, out _);
                }
                else
                {
                    _sharedExact[filter] = nextGroups;
                }

                Volatile.Write(ref _sharedExactCount, _sharedExact.Count);
                return;
            }

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

        if (shareName is not null)
        {
            node.Groups = ChangeGroup(node.Groups, shareName, filter, change, out var delta);
            _wildcardCount += delta;
        }
        else
        {
            var before = node.Subscribers.Length;
            node.Subscribers = change(node.Subscribers);
            _wildcardCount += node.Subscribers.Length - before;
        }

        Prune(node);
    }

    /// <summary>Applies <paramref name="change"/> to the members of group <paramref name="shareName"/>; returns the node's new group array (a group without members leaves it).</summary>
    private static SharedGroup[] ChangeGroup(SharedGroup[] groups, string shareName, string filter, Func<Subscription[], Subscription[]> change, out int delta)
    {
        var index = -1;
        for (var i = 0; i < groups.Length; i++)
        {
            if (string.Equals(groups[i].ShareName, shareName, StringComparison.Ordinal))
            {
                index = i;
                break;
            }
        }

        var group = index >= 0 ? groups[index] : new SharedGroup(shareName, filter);
        var before = group.MemberArray;
        var members = change(before);
        delta = members.Length - before.Length;
        group.SetMembers(members);

        if (index < 0)
        {
            return members.Length == 0 ? groups : [.. groups, group];
        }

        if (members.Length > 0)
        {
            return groups;
        }

        var result = new SharedGroup[groups.Length - 1];
        Array.Copy(groups, 0, result, 0, index);
        Array.Copy(groups, index + 1, result, index, groups.Length - index - 1);
        return result;
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
