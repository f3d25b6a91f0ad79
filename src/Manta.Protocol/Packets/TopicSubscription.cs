namespace Manta.Protocol.Packets;

/// <summary>One topic filter of a SUBSCRIBE with its subscription options.</summary>
public sealed class TopicSubscription
{
    public string TopicFilter { get; set; } = string.Empty;

    public QualityOfService MaximumQoS { get; set; }

    /// <summary>v5: do not deliver this client's own publications.</summary>
    public bool NoLocal { get; set; }

    /// <summary>v5: keep the retain flag of forwarded messages.</summary>
    public bool RetainAsPublished { get; set; }

    /// <summary>v5: when retained messages are sent.</summary>
    public RetainHandling RetainHandling { get; set; }
}
