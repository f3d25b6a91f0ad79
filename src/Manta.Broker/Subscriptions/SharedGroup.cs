using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Sessions;

namespace Manta.Broker.Subscriptions;

/// <summary>
/// One shared subscription: a group name and a topic filter (<c>$share/{group}/{filter}</c>) with
/// its members, one subscription per member session. Each matching message goes to one member
/// (MQTT 5 section 4.8.2), chosen by <see cref="Pick"/>. The member array is copy-on-write: the
/// index replaces it under its write lock and publishers read it without a lock.
/// </summary>
public sealed class SharedGroup
{
    // FNV-1a (32 bit): stable across processes, unlike string.GetHashCode, so a hash strategy
    // keeps mapping a publisher or topic to the same member position after a restart.
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    private Subscription[] _members = [];
    private Subscription? _sticky;
    private int _cursor;

    internal SharedGroup(string shareName, string filter)
    {
        ShareName = shareName;
        Filter = filter;
    }

    /// <summary>The ShareName.</summary>
    public string ShareName { get; }

    /// <summary>The topic filter (without the <c>$share/{group}/</c> prefix).</summary>
    public string Filter { get; }

    /// <summary>The members, one subscription per session.</summary>
    public IReadOnlyList<Subscription> Members => Volatile.Read(ref _members);

    internal Subscription[] MemberArray => Volatile.Read(ref _members);

    /// <summary>
    /// The member that gets <paramref name="message"/> (published on <paramref name="topic"/>), or
    /// null when the group has no member. A connected member is chosen when there is one.
    /// </summary>
    public Subscription? Pick(SharedSubscriptionStrategy strategy, MqttMessage message, ReadOnlySpan<char> topic)
    {
        ArgumentNullException.ThrowIfNull(message);
        var members = Volatile.Read(ref _members);
        switch (members.Length)
        {
            case 0:
                return null;
            case 1:
                return members[0];
        }

        switch (strategy)
        {
            case SharedSubscriptionStrategy.Random:
                return FirstConnected(members, (uint)System.Random.Shared.Next(members.Length));
            case SharedSubscriptionStrategy.HashClientId:
                return FirstConnected(members, Hash(message.Origin is Session origin ? origin.ClientId : string.Empty));
            case SharedSubscriptionStrategy.HashTopic:
                return FirstConnected(members, Hash(topic));
            case SharedSubscriptionStrategy.Sticky:
                return PickSticky(members);
            default:
                return FirstConnected(members, NextCursor());
        }
    }

    /// <summary>Installs a new member array. Caller holds the index's write lock.</summary>
    internal void SetMembers(Subscription[] members)
    {
        if (Volatile.Read(ref _sticky) is { } sticky && Array.IndexOf(members, sticky) < 0)
        {
            // A re-subscribe replaces the subscription object: stay with the same session.
            Subscription? same = null;
            foreach (var member in members)
            {
                if (ReferenceEquals(member.Session, sticky.Session))
                {
                    same = member;
                    break;
                }
            }

            Volatile.Write(ref _sticky, same);
        }

        Volatile.Write(ref _members, members);
    }

    private Subscription PickSticky(Subscription[] members)
    {
        // The membership check keeps a member that left (a race with SetMembers) from being kept.
        var sticky = Volatile.Read(ref _sticky);
        var stillMember = sticky is not null && Array.IndexOf(members, sticky) >= 0;
        if (stillMember && sticky!.Session.IsConnected)
        {
            return sticky;
        }

        var chosen = FirstConnected(members, NextCursor());
        if (!chosen.Session.IsConnected && stillMember)
        {
            // Nobody is connected: keep queueing for the member we had.
            return sticky!;
        }

        Volatile.Write(ref _sticky, chosen);
        return chosen;
    }

    private uint NextCursor() => (uint)Interlocked.Increment(ref _cursor) - 1;

    /// <summary>The first connected member from position <paramref name="start"/> on, else the member at <paramref name="start"/>.</summary>
    private static Subscription FirstConnected(Subscription[] members, uint start)
    {
        var count = (uint)members.Length;
        for (var i = 0u; i < count; i++)
        {
            var member = members[(start + i) % count];
            if (member.Session.IsConnected)
            {
                return member;
            }
        }

        return members[start % count];
    }

    private static uint Hash(ReadOnlySpan<char> text)
    {
        var hash = FnvOffset;
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return hash;
    }
}
