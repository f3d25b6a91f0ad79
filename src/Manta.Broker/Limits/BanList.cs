using System.Collections.Concurrent;

namespace Manta.Broker.Limits;

/// <summary>Client ids, user names and addresses refused at CONNECT (v5 0x8A Banned, 3.x 5), each until a deadline.</summary>
public sealed class BanList
{
    private readonly ConcurrentDictionary<(BanKind Kind, string Value), long> _bans = new();
    private readonly Timing.BrokerClock _clock;

    internal BanList(Timing.BrokerClock clock) => _clock = clock;

    /// <summary>Bans currently held.</summary>
    public int Count => _bans.Count;

    /// <summary>Bans <paramref name="value"/> for <paramref name="duration"/> (null: until restart or <see cref="Remove"/>).</summary>
    public void Add(BanKind kind, string value, TimeSpan? duration)
    {
        var until = duration is { } d ? _clock.Now + _clock.SecondsToTicks(d.TotalSeconds) : long.MaxValue;
        _bans[(kind, value)] = until;
    }

    /// <summary>Lifts a ban; false when there was none.</summary>
    public bool Remove(BanKind kind, string value) => _bans.TryRemove((kind, value), out _);

    /// <summary>True while <paramref name="value"/> is banned.</summary>
    public bool IsBanned(BanKind kind, string? value)
    {
        if (value is null || _bans.IsEmpty || !_bans.TryGetValue((kind, value), out var until))
        {
            return false;
        }

        if (until > _clock.Now)
        {
            return true;
        }

        _bans.TryRemove(new KeyValuePair<(BanKind, string), long>((kind, value), until));
        return false;
    }

    /// <summary>Forgets expired bans (from the heartbeat).</summary>
    internal void Prune()
    {
        var now = _clock.Now;
        foreach (var ban in _bans)
        {
            if (ban.Value <= now)
            {
                _bans.TryRemove(ban);
            }
        }
    }
}
