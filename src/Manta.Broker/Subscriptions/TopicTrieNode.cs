using System.Collections.Concurrent;

namespace Manta.Broker.Subscriptions;

/// <summary>
/// One level of the wildcard trie. Readers walk it without locks: children live in a concurrent
/// dictionary and the subscriber array is replaced, never changed in place. Writers hold the
/// index's write lock.
/// </summary>
internal sealed class TopicTrieNode
{
    public TopicTrieNode(TopicTrieNode? parent, string key)
    {
        Parent = parent;
        Key = key;
        Children = new ConcurrentDictionary<string, TopicTrieNode>(StringComparer.Ordinal);
        ChildLookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public TopicTrieNode? Parent { get; }

    public string Key { get; }

    public ConcurrentDictionary<string, TopicTrieNode> Children { get; }

    public ConcurrentDictionary<string, TopicTrieNode>.AlternateLookup<ReadOnlySpan<char>> ChildLookup { get; }

    /// <summary>The '+' child.</summary>
    public TopicTrieNode? SingleLevel { get; set; }

    /// <summary>The '#' child.</summary>
    public TopicTrieNode? MultiLevel { get; set; }

    /// <summary>Subscriptions whose filter ends at this node; replaced atomically by writers.</summary>
    public Subscription[] Subscribers { get; set; } = [];

    /// <summary>Shared subscription groups whose filter ends at this node; replaced atomically by writers.</summary>
    public SharedGroup[] Groups { get; set; } = [];

    public bool IsEmpty => Subscribers.Length == 0 && Groups.Length == 0 && Children.IsEmpty && SingleLevel is null && MultiLevel is null;
}
