namespace Manta.Protocol.Topics;

/// <summary>Topic name and topic filter rules (section 4.7) and a reference matcher.</summary>
public static class MqttTopic
{
    /// <summary>Maximum length of an MQTT UTF-8 string in bytes.</summary>
    public const int MaxLength = 65535;

    /// <summary>True when <paramref name="topic"/> is a valid topic name: non-empty, no '+' or '#', no U+0000.</summary>
    public static bool IsValidTopicName(ReadOnlySpan<char> topic) => throw new NotImplementedException();

    /// <summary>
    /// True when <paramref name="filter"/> is a valid topic filter: non-empty; '#' only as the
    /// whole last level; '+' only as a whole level; no U+0000. A shared subscription
    /// (<c>$share/{group}/{filter}</c>) is valid when the group is non-empty without '+', '#' or '/'
    /// and the filter after it is valid.
    /// </summary>
    public static bool IsValidTopicFilter(ReadOnlySpan<char> filter) => throw new NotImplementedException();

    /// <summary>True when the filter contains '+' or '#'.</summary>
    public static bool HasWildcards(ReadOnlySpan<char> filter) => filter.IndexOfAny('+', '#') >= 0;

    /// <summary>
    /// Reference matcher (simple and obviously right, not fast): does topic name
    /// <paramref name="topic"/> match <paramref name="filter"/>, including the rule that filters
    /// starting with a wildcard do not match topics starting with '$'.
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic) => throw new NotImplementedException();

    /// <summary>
    /// Splits <c>$share/{group}/{filter}</c>; false (and the input unchanged as
    /// <paramref name="topicFilter"/>) when <paramref name="filter"/> is not a shared subscription.
    /// </summary>
    public static bool TryParseSharedSubscription(string filter, out string? group, out string topicFilter)
        => throw new NotImplementedException();
}
