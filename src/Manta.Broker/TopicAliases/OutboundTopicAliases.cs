namespace Manta.Broker.TopicAliases;

/// <summary>
/// Aliases the server gives topics it sends to one connection, up to the client's Topic Alias
/// Maximum: the first time a topic goes out it carries its name and a new alias, afterwards the
/// alias alone. The first topics seen keep their aliases for the life of the connection, which
/// suits devices that receive a few topics over and over. Owned by the write loop.
/// </summary>
internal sealed class OutboundTopicAliases
{
    private readonly Dictionary<byte[], ushort> _aliases = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], ushort>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private readonly ushort _maximum;

    public OutboundTopicAliases(ushort maximum)
    {
        _maximum = maximum;
        _lookup = _aliases.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The alias already given to <paramref name="topicUtf8"/> on this connection.</summary>
    public bool TryGet(ReadOnlySpan<byte> topicUtf8, out ushort alias) => _lookup.TryGetValue(topicUtf8, out alias);

    /// <summary>Gives <paramref name="topicUtf8"/> the next alias; 0 when the client's maximum is used up.</summary>
    public ushort Assign(ReadOnlySpan<byte> topicUtf8)
    {
        if (_aliases.Count >= _maximum)
        {
            return 0;
        }

        var alias = (ushort)(_aliases.Count + 1);
        _lookup[topicUtf8] = alias;
        return alias;
    }
}
