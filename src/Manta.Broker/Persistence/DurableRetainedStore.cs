using Manta.Broker.Messages;
using Manta.Broker.Retained;

namespace Manta.Broker.Persistence;

/// <summary>Retained messages kept in memory for matching and written through to the session store.</summary>
internal sealed class DurableRetainedStore : IRetainedStore
{
    private readonly IRetainedStore _inner;
    private readonly StoreJournal _journal;

    public DurableRetainedStore(IRetainedStore inner, StoreJournal journal)
    {
        _inner = inner;
        _journal = journal;
    }

    public int Count => _inner.Count;

    public void Set(MqttMessage message)
    {
        _inner.Set(message);
        _journal.RetainedSet(message);
    }

    public void Remove(string topic)
    {
        _inner.Remove(topic);
        _journal.RetainedRemoved(topic);
    }

    public void CollectMatching(string topicFilter, List<MqttMessage> results) => _inner.CollectMatching(topicFilter, results);

    /// <summary>Puts a stored message back at start-up without writing it again.</summary>
    public void Restore(MqttMessage message) => _inner.Set(message);
}
