using Manta.Broker.Messages;
using Manta.Broker.Timing;
using Manta.Protocol.Topics;

namespace Manta.Broker.Retained;

/// <summary>
/// Retained messages in memory. A lock guards the map because a reader must take its reference
/// before a concurrent replacement can give back the store's last one; retained traffic is far
/// rarer than plain publishing, so this lock is off the hot path.
/// </summary>
public sealed class InMemoryRetainedStore : IRetainedStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MqttMessage> _messages = new(StringComparer.Ordinal);
    private readonly BrokerClock _clock;

    /// <summary>Creates an empty store.</summary>
    public InMemoryRetainedStore(BrokerClock clock) => _clock = clock;

    /// <inheritdoc />
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    /// <inheritdoc />
    public void Set(MqttMessage message)
    {
        message.AddReference();
        MqttMessage? old;
        lock (_gate)
        {
            _messages.TryGetValue(message.Topic, out old);
            _messages[message.Topic] = message;
        }

        old?.Release();
    }

    /// <inheritdoc />
    public void Remove(string topic)
    {
        MqttMessage? old;
        lock (_gate)
        {
            _messages.Remove(topic, out old);
        }

        old?.Release();
    }

    /// <inheritdoc />
    public void CollectMatching(string topicFilter, List<MqttMessage> results)
    {
        var now = _clock.Now;
        List<MqttMessage>? expired = null;
        lock (_gate)
        {
            if (!MqttTopic.HasWildcards(topicFilter))
            {
                if (_messages.TryGetValue(topicFilter, out var single))
                {
                    Take(single, now, results, ref expired);
                }
            }
            else
            {
                foreach (var (topic, message) in _messages)
                {
                    if (MqttTopic.Matches(topicFilter, topic))
                    {
                        Take(message, now, results, ref expired);
                    }
                }
            }

            if (expired is not null)
            {
                foreach (var message in expired)
                {
                    _messages.Remove(message.Topic);
                }
            }
        }

        if (expired is not null)
        {
            foreach (var message in expired)
            {
                message.Release();
            }
        }
    }

    private static void Take(MqttMessage message, long now, List<MqttMessage> results, ref List<MqttMessage>? expired)
    {
        if (message.HasExpiry && message.ExpiresAt <= now)
        {
            (expired ??= []).Add(message);
            return;
        }

        message.AddReference();
        results.Add(message);
    }
}
