namespace Manta.Broker.Subscriptions;

/// <summary>
/// The two spellings of a shared subscription: <c>$share/{group}/{filter}</c> (MQTT 5 section
/// 4.8.2, accepted from 3.1 and 3.1.1 clients too, as EMQX does) and EMQX's <c>$queue/{filter}</c>,
/// which is the group <see cref="QueueGroup"/>: <c>$queue/t</c> and <c>$share/$queue/t</c> are the
/// same group. The canonical form, used as the session's key for the subscription, is the
/// <c>$share/</c> one, so either spelling unsubscribes either.
/// </summary>
public static class SharedSubscriptionFilter
{
    /// <summary>The group name <c>$queue/{filter}</c> stands for (EMQX's choice; a group name starting with '$' is still a valid ShareName).</summary>
    public const string QueueGroup = "$queue";

    private const string SharePrefix = "$share/";
    private const string QueuePrefix = "$queue/";

    /// <summary>
    /// Splits a shared subscription into its group and topic filter; false when
    /// <paramref name="filter"/> is an ordinary filter. Only the shape is checked: the group is
    /// non-empty; the topic filter may be empty or invalid (the caller validates it).
    /// </summary>
    public static bool TryParse(string filter, out string group, out string topicFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.StartsWith(QueuePrefix, StringComparison.Ordinal))
        {
            group = QueueGroup;
            topicFilter = filter[QueuePrefix.Length..];
            return true;
        }

        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var slash = filter.IndexOf('/', SharePrefix.Length);
            if (slash > SharePrefix.Length)
            {
                group = filter[SharePrefix.Length..slash];
                topicFilter = filter[(slash + 1)..];
                return true;
            }
        }

        group = string.Empty;
        topicFilter = filter;
        return false;
    }

    /// <summary>The session's key for <paramref name="filter"/>: <c>$queue/f</c> becomes <c>$share/$queue/f</c>; anything else is returned as it is.</summary>
    public static string Normalize(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.StartsWith(QueuePrefix, StringComparison.Ordinal)
            ? SharePrefix + QueueGroup + "/" + filter[QueuePrefix.Length..]
            : filter;
    }
}
