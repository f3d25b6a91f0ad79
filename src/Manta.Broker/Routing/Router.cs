using System.Buffers;
using System.Text;
using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Retained;
using Manta.Broker.Sessions;
using Manta.Broker.Subscriptions;
using Manta.Protocol;

namespace Manta.Broker.Routing;

/// <summary>
/// The publish path after acceptance: retain, match, hand to each subscriber's session. Runs on
/// the publisher's read loop and never waits on a subscriber. One delivery per session even when
/// several of its filters match (allowed by 3.1.1 and 5.0): the highest QoS of the matching
/// subscriptions and all their identifiers. Each matching shared subscription group gets one
/// more delivery, to the one member it picks (MQTT 5 section 4.8.2): a member that also has an
/// ordinary matching subscription then receives two copies, as the specification says.
/// </summary>
public sealed class Router
{
    // Topics up to this many characters are matched from the stack.
    private const int StackTopicLimit = 512;

    [ThreadStatic]
    private static List<Subscription>? t_matches;

    [ThreadStatic]
    private static Dictionary<Session, MergedDelivery>? t_merged;

    [ThreadStatic]
    private static List<SharedGroup>? t_groups;

    private readonly SubscriptionIndex _index;
    private readonly IRetainedStore _retained;
    private readonly BrokerPolicy _policy;
    private readonly MessageFactory _messages;

    /// <summary>Creates a router.</summary>
    public Router(SubscriptionIndex index, IRetainedStore retained, BrokerPolicy policy, MessageFactory messages)
    {
        _index = index;
        _retained = retained;
        _policy = policy;
        _messages = messages;
    }

    /// <summary>
    /// Routes an accepted message (a client's, a will, or the broker's own); the caller keeps its
    /// own reference. A retained message is handled by the retain policy first: stored or deleted,
    /// or passed on unstored with the retain property instead of the flag. Returns the number of
    /// sessions it was handed to.
    /// </summary>
    public int Publish(MqttMessage message)
    {
        if (message.Retain && _policy.Retain == RetainPolicy.PassOnAsProperty)
        {
            var marked = _messages.WithUserProperty(message, _policy.RetainPropertyName, "true", retain: false);
            try
            {
                return Publish(marked);
            }
            finally
            {
                marked.Release();
            }
        }

        if (message.Retain && _policy.Retain == RetainPolicy.Store)
        {
            if (message.PayloadLength == 0)
            {
                _retained.Remove(message.Topic);
            }
            else
            {
                _retained.Set(message);
            }
        }

        var topicBytes = message.TopicUtf8;
        char[]? rented = null;
        var chars = topicBytes.Length <= StackTopicLimit
            ? stackalloc char[StackTopicLimit]
            : (rented = ArrayPool<char>.Shared.Rent(topicBytes.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(topicBytes, chars);
            return Route(message, chars[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Sends the retained messages matching a new subscription to its session (retain flag set, MQTT-3.3.1-8).</summary>
    public void SendRetained(Subscription subscription)
    {
        var found = new List<MqttMessage>();
        _retained.CollectMatching(subscription.TopicFilter, found);
        foreach (var message in found)
        {
            subscription.Session.Deliver(message, DeliveryQos(_policy, message.QoS, subscription.MaximumQoS), retain: true, Identifiers(subscription));
            message.Release();
        }
    }

    private int Route(MqttMessage message, ReadOnlySpan<char> topic)
    {
        var matches = t_matches ??= new List<Subscription>(16);
        matches.Clear();
        List<SharedGroup>? groups = null;
        if (_index.HasSharedSubscriptions)
        {
            groups = t_groups ??= new List<SharedGroup>(8);
            groups.Clear();
        }

        _index.Match(topic, matches, groups);
        var delivered = 0;
        if (groups is { Count: > 0 })
        {
            foreach (var group in groups)
            {
                if (SharedDispatch.Deliver(_policy, group, message, topic))
                {
                    delivered++;
                }
            }

            groups.Clear();
        }

        if (matches.Count == 0)
        {
            return delivered;
        }

        Dictionary<Session, MergedDelivery>? merged = null;
        foreach (var subscription in matches)
        {
            var session = subscription.Session;
            if (subscription.NoLocal && ReferenceEquals(message.Origin, session))
            {
                continue;
            }

            var qos = DeliveryQos(_policy, message.QoS, subscription.MaximumQoS);
            var retain = subscription.RetainAsPublished && message.Retain;
            if (session.SubscriptionCount <= 1)
            {
                session.Deliver(message, qos, retain, Identifiers(subscription));
                delivered++;
                continue;
            }

            // Several filters of this session may match: merge into one delivery.
            merged ??= t_merged ??= new Dictionary<Session, MergedDelivery>();
            if (merged.TryGetValue(session, out var entry))
            {
                entry.Merge(qos, retain, subscription.Identifier);
                merged[session] = entry;
            }
            else
            {
                merged[session] = MergedDelivery.Start(qos, retain, subscription);
            }
        }

        if (merged is not null)
        {
            foreach (var (session, entry) in merged)
            {
                session.Deliver(message, entry.QoS, entry.Retain, entry.Identifiers());
                delivered++;
            }

            merged.Clear();
        }

        matches.Clear();
        return delivered;
    }

    /// <summary>The QoS a delivery gets: the publication's, lowered to the subscription's (unless the publisher wins by policy) and to the server's maximum.</summary>
    internal static QualityOfService DeliveryQos(BrokerPolicy policy, QualityOfService published, QualityOfService subscribed)
    {
        var qos = policy.SubscriptionQos == SubscriptionQosMode.PublisherWins ? published : (QualityOfService)Math.Min((int)published, (int)subscribed);
        return (QualityOfService)Math.Min((int)qos, (int)policy.MaximumQoS);
    }

    private static uint[]? Identifiers(Subscription subscription) => subscription.Identifier == 0 ? null : subscription.Identifiers;
}
