namespace Manta.Broker.TopicAliases;

/// <summary>
/// The topic aliases a client has set on one network connection (v5 section 3.3.2.3.4): alias
/// to topic name, never carried to another connection (MQTT-3.3.2-7). Owned by the read loop.
/// </summary>
internal sealed class InboundTopicAliases
{
    private readonly byte[]?[] _topics;

    public InboundTopicAliases(ushort maximum) => _topics = new byte[]?[maximum + 1];

    /// <summary>Sets (or replaces) the topic of <paramref name="alias"/>.</summary>
    public void Set(ushort alias, ReadOnlySpan<byte> topicUtf8)
    {
        var current = _topics[alias];
        if (current is not null && topicUtf8.SequenceEqual(current))
        {
            return;
        }

        _topics[alias] = topicUtf8.ToArray();
    }

    /// <summary>The topic of <paramref name="alias"/>; false when the client never set it.</summary>
    public bool TryGet(ushort alias, out byte[] topicUtf8)
    {
        topicUtf8 = _topics[alias]!;
        return topicUtf8 is not null;
    }
}
