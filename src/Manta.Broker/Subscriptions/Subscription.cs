using Manta.Broker.Sessions;
using Manta.Protocol;

namespace Manta.Broker.Subscriptions;

/// <summary>One topic filter of one session with its options; immutable, replaced whole on re-subscribe.</summary>
public sealed class Subscription
{
    /// <summary>Creates a subscription.</summary>
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
        TopicFilter = topicFilter;
        MaximumQoS = maximumQoS;
        NoLocal = noLocal;
        RetainAsPublished = retainAsPublished;
        RetainHandling = retainHandling;
        Identifier = identifier;
        Identifiers = identifier == 0 ? [] : [identifier];
    }

    /// <summary>The subscriber.</summary>
    public Session Session { get; }

    /// <summary>The filter as subscribed.</summary>
    public string TopicFilter { get; }

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
