using Manta.Protocol.Properties;

namespace Manta.Protocol.Codec;

/// <summary>
/// Which property may appear in which packet (MQTT 5 section 2.2.2.2), as bit masks indexed by
/// property id; ids are below 64, so one <see cref="ulong"/> per packet answers in one AND.
/// </summary>
internal static class PropertyRules
{
    public const ulong Connect =
        (1UL << (int)PropertyId.SessionExpiryInterval)
        | (1UL << (int)PropertyId.AuthenticationMethod)
        | (1UL << (int)PropertyId.AuthenticationData)
        | (1UL << (int)PropertyId.RequestProblemInformation)
        | (1UL << (int)PropertyId.RequestResponseInformation)
        | (1UL << (int)PropertyId.ReceiveMaximum)
        | (1UL << (int)PropertyId.TopicAliasMaximum)
        | (1UL << (int)PropertyId.UserProperty)
        | (1UL << (int)PropertyId.MaximumPacketSize);

    public const ulong Will =
        (1UL << (int)PropertyId.PayloadFormatIndicator)
        | (1UL << (int)PropertyId.MessageExpiryInterval)
        | (1UL << (int)PropertyId.ContentType)
        | (1UL << (int)PropertyId.ResponseTopic)
        | (1UL << (int)PropertyId.CorrelationData)
        | (1UL << (int)PropertyId.WillDelayInterval)
        | (1UL << (int)PropertyId.UserProperty);

    public const ulong ConnAck =
        (1UL << (int)PropertyId.SessionExpiryInterval)
        | (1UL << (int)PropertyId.AssignedClientIdentifier)
        | (1UL << (int)PropertyId.ServerKeepAlive)
        | (1UL << (int)PropertyId.AuthenticationMethod)
        | (1UL << (int)PropertyId.AuthenticationData)
        | (1UL << (int)PropertyId.ResponseInformation)
        | (1UL << (int)PropertyId.ServerReference)
        | (1UL << (int)PropertyId.ReasonString)
        | (1UL << (int)PropertyId.ReceiveMaximum)
        | (1UL << (int)PropertyId.TopicAliasMaximum)
        | (1UL << (int)PropertyId.MaximumQoS)
        | (1UL << (int)PropertyId.RetainAvailable)
        | (1UL << (int)PropertyId.UserProperty)
        | (1UL << (int)PropertyId.MaximumPacketSize)
        | (1UL << (int)PropertyId.WildcardSubscriptionAvailable)
        | (1UL << (int)PropertyId.SubscriptionIdentifierAvailable)
        | (1UL << (int)PropertyId.SharedSubscriptionAvailable);

    public const ulong Publish =
        (1UL << (int)PropertyId.PayloadFormatIndicator)
        | (1UL << (int)PropertyId.MessageExpiryInterval)
        | (1UL << (int)PropertyId.ContentType)
        | (1UL << (int)PropertyId.ResponseTopic)
        | (1UL << (int)PropertyId.CorrelationData)
        | (1UL << (int)PropertyId.SubscriptionIdentifier)
        | (1UL << (int)PropertyId.TopicAlias)
        | (1UL << (int)PropertyId.UserProperty);

    /// <summary>PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK carry the same two.</summary>
    public const ulong Acknowledgement =
        (1UL << (int)PropertyId.ReasonString)
        | (1UL << (int)PropertyId.UserProperty);

    public const ulong Subscribe =
        (1UL << (int)PropertyId.SubscriptionIdentifier)
        | (1UL << (int)PropertyId.UserProperty);

    public const ulong Unsubscribe = 1UL << (int)PropertyId.UserProperty;

    public const ulong Disconnect =
        (1UL << (int)PropertyId.SessionExpiryInterval)
        | (1UL << (int)PropertyId.ServerReference)
        | (1UL << (int)PropertyId.ReasonString)
        | (1UL << (int)PropertyId.UserProperty);

    public const ulong Auth =
        (1UL << (int)PropertyId.AuthenticationMethod)
        | (1UL << (int)PropertyId.AuthenticationData)
        | (1UL << (int)PropertyId.ReasonString)
        | (1UL << (int)PropertyId.UserProperty);

    /// <summary>Properties the server never forwards verbatim: they are per hop or per subscriber.</summary>
    public const ulong NotForwarded =
        (1UL << (int)PropertyId.MessageExpiryInterval)
        | (1UL << (int)PropertyId.SubscriptionIdentifier)
        | (1UL << (int)PropertyId.TopicAlias);

    public static bool IsAllowed(ulong mask, byte id) => id < 64 && (mask & (1UL << id)) != 0;
}
