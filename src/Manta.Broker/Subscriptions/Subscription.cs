using Manta.Broker.Sessions;
using Manta.Protocol;

namespace Manta.Broker.Subscriptions;

/// <summary>One topic filter of one session with its options; immutable, replaced whole on re-subscribe.</summary>
public sealed class Subscription
{
    /// <summary>Creates a subscription; a shared one (<c>$share/{group}/{filter}</c> or <c>$queue/{filter}</c>) is recognised by its filter.</summary>
    public Subscription(
        Session session,
        string topicFilter,
        QualityOfService maximumQoS,
        bool noLocal = false,
        bool retainAsPublished = false,
        RetainHandling retainHandling = RetainHandling.SendAtSubscribe,
        uint identifier = 0)
    {
        Session = session;
        if (SharedSubscriptionFilter.TryParse(topicFilter, out var group, out var filter))
        {
            ShareName = group;
            Filter = filter;
            TopicFilter = SharedSubscriptionFilter.Normalize(topicFilter);
        }
        else
        {
            Filter = topicFilter;
            TopicFilter = topicFilter;
        }

        MaximumQoS = maximumQoS;
        NoLocal = noLocal;
        RetainAsPublished = retainAsPublished;
        RetainHandling = retainHandling;
        Identifier = identifier;
        Identifiers = identifier == 0 ? [] : [identifier];
    }

    /// <summary>The subscriber.</summary>
    public Session Session { get; }

    /// <summary>The filter as subscribed (a <c>$queue/</c> filter in its <c>$share/$queue/</c> form); the session's key for it.</summary>
    public string TopicFilter { get; }

    /// <summary>The filter topics are matched against: <see cref="TopicFilter"/> without the shared prefix.</summary>
    public string Filter { get; }

    /// <summary>The group of a shared subscription; null for an ordinary one.</summary>
    public string? ShareName { get; }

    /// <summary>True for a shared subscription.</summary>
    public bool IsShared => ShareName is not null;

    /// <summary>Granted QoS.</summary>
    public QualityOfService MaximumQoS { get; }

    /// <summary>v5: the subscriber's own publications are not delivered.</summary>
    public bool NoLocal { get; }

    /// <summary>v5: the retain flag of forwarded messages is kept.</summary>
    public bool RetainAsPublished { get; }

    /// <summary>v5: when retained messages are sent.</summary>
    public RetainHandling RetainHandling { get; }

    /// <summary>v5 subscription identifier; 0 when none.</summary>
    public uint Identifier { get; }

    /// <summary>The identifier as a ready-made array (empty when none), shared by every delivery.</summary>
    public uint[] Identifiers { get; }
}
