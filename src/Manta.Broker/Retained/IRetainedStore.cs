using Manta.Broker.Messages;

namespace Manta.Broker.Retained;

/// <summary>Topic name to last retained message. Implementations own one reference per stored message.</summary>
public interface IRetainedStore
{
    /// <summary>Number of retained messages.</summary>
    int Count { get; }

    /// <summary>Stores <paramref name="message"/> as the retained message of its topic (taking a reference), replacing any earlier one.</summary>
    void Set(MqttMessage message);

    /// <summary>Deletes the retained message of <paramref name="topic"/>.</summary>
    void Remove(string topic);

    /// <summary>Appends the unexpired retained messages matching <paramref name="topicFilter"/>, each with a reference taken for the caller.</summary>
    void CollectMatching(string topicFilter, List<MqttMessage> results);
}
