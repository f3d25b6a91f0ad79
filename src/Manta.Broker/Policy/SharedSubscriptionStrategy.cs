namespace Manta.Broker.Policy;

/// <summary>
/// How the member of a shared subscription group (<c>$share/{group}/{filter}</c>) that receives a
/// message is chosen. Whatever the strategy, a connected member is preferred; only when no member
/// is connected does the message go to an offline one (queued per the normal offline rules).
/// The names follow EMQX's <c>shared_subscription_strategy</c>.
/// </summary>
public enum SharedSubscriptionStrategy
{
    /// <summary>Members in turn, one message each (EMQX's default).</summary>
    RoundRobin,

    /// <summary>A member picked at random for each message.</summary>
    Random,

    /// <summary>The same member until it disconnects or leaves the group; then another one, kept in turn.</summary>
    Sticky,

    /// <summary>By a hash of the publisher's client id: one publisher's messages go to one member while the group does not change.</summary>
    HashClientId,

    /// <summary>By a hash of the topic name: one topic's messages go to one member while the group does not change.</summary>
    HashTopic,
}
