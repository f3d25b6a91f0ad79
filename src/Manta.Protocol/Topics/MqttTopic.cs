namespace Manta.Protocol.Topics;

/// <summary>Topic name and topic filter rules (section 4.7) and a reference matcher.</summary>
public static class MqttTopic
{
    /// <summary>Maximum length of an MQTT UTF-8 string in bytes.</summary>
    public const int MaxLength = 65535;

    private const string SharePrefix = "$share/";

    /// <summary>True when <paramref name="topic"/> is a valid topic name: non-empty, no '+' or '#', no U+0000.</summary>
    public static bool IsValidTopicName(ReadOnlySpan<char> topic)
        => !topic.IsEmpty && topic.IndexOfAny('+', '#', '\0') < 0;

    /// <summary>
    /// True when <paramref name="filter"/> is a valid topic filter: non-empty; '#' only as the
    /// whole last level; '+' only as a whole level; no U+0000. A shared subscription
    /// (<c>$share/{group}/{filter}</c>) is valid when the group is non-empty without '+', '#' or '/'
    /// and the filter after it is valid.
    /// </summary>
    public static bool IsValidTopicFilter(ReadOnlySpan<char> filter)
    {
        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var rest = filter.Slice(SharePrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash <= 0)
            {
                return false;
            }

            if (rest.Slice(0, slash).IndexOfAny('+', '#', '\0') >= 0)
            {
                return false;
            }

            filter = rest.Slice(slash + 1);
        }

        if (filter.IsEmpty || filter.IndexOf('\0') >= 0)
        {
            return false;
        }

        // Walk the levels: a wildcard must fill its level alone, and '#' must be the last one.
        var levelStart = 0;
        for (var i = 0; i <= filter.Length; i++)
        {
            if (i < filter.Length && filter[i] != '/')
            {
                continue;
            }

            var level = filter.Slice(levelStart, i - levelStart);
            if (level.IndexOfAny('+', '#') >= 0)
            {
                if (level.Length != 1)
                {
                    return false;
                }

                if (level[0] == '#' && i != filter.Length)
                {
                    return false;
                }
            }

            levelStart = i + 1;
        }

        return true;
    }

    /// <summary>True when the filter contains '+' or '#'.</summary>
    public static bool HasWildcards(ReadOnlySpan<char> filter) => filter.IndexOfAny('+', '#') >= 0;

    /// <summary>
    /// Reference matcher (simple and obviously right, not fast): does topic name
    /// <paramref name="topic"/> match <paramref name="filter"/>, including the rule that filters
    /// starting with a wildcard do not match topics starting with '$'.
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> filter, ReadOnlySpan<char> topic)
    {
        // MQTT-4.7.2-1: '$' topics are for the server; a leading wildcard must not reach them.
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#')))
        {
            return false;
        }

        var filterLevels = filter.ToString().Split('/');
        var topicLevels = topic.ToString().Split('/');
        for (var i = 0; i < filterLevels.Length; i++)
        {
            // '#' also matches the parent level: "sport/#" matches "sport" (section 4.7.1.2).
            if (filterLevels[i] == "#")
            {
                return true;
            }

            if (i >= topicLevels.Length)
            {
                return false;
            }

            if (filterLevels[i] != "+" && filterLevels[i] != topicLevels[i])
            {
                return false;
            }
        }

        return filterLevels.Length == topicLevels.Length;
    }

    /// <summary>
    /// Splits <c>$share/{group}/{filter}</c>; false (and the input unchanged as
    /// <paramref name="topicFilter"/>) when <paramref name="filter"/> is not a shared subscription.
    /// </summary>
    /// <remarks>Only the shape is checked (a non-empty group followed by '/'); validity is <see cref="IsValidTopicFilter"/>'s.</remarks>
    public static bool TryParseSharedSubscription(string filter, out string? group, out string topicFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            var slash = filter.IndexOf('/', SharePrefix.Length);
            if (slash > SharePrefix.Length)
            {
                group = filter.Substring(SharePrefix.Length, slash - SharePrefix.Length);
                topicFilter = filter.Substring(slash + 1);
                return true;
            }
        }

        group = null;
        topicFilter = filter;
        return false;
    }
}
