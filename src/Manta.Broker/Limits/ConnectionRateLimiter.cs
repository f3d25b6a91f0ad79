using System.Net;

namespace Manta.Broker.Limits;

/// <summary>
/// New connections per source address (a token bucket each), and the automatic ban of an
/// address that keeps reconnecting in a tight loop. One lock: CONNECTs are far rarer than publishes.
/// </summary>
internal sealed class ConnectionRateLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _addresses = [];
    private readonly LimitOptions _options;
    private readonly Timing.BrokerClock _clock;
    private readonly BanList _bans;

    public ConnectionRateLimiter(LimitOptions options, Timing.BrokerClock clock, BanList bans)
    {
        _options = options;
        _clock = clock;
        _bans = bans;
    }

    /// <summary>True when <paramref name="address"/> may open another connection now.</summary>
    public bool TryAdmit(IPAddress? address)
    {
        if (_options.ConnectionRatePerAddress <= 0 || address is null)
        {
            return true;
        }

        var now = _clock.Now;
        lock (_gate)
        {
            if (!_addresses.TryGetValue(address, out var entry))
            {
                var burst = _options.ConnectionBurstPerAddress > 0 ? _options.ConnectionBurstPerAddress : _options.ConnectionRatePerAddress;
                entry = new Entry(new TokenBucket(_options.ConnectionRatePerAddress, burst, now, _clock.TimeProvider.TimestampFrequency));
                _addresses[address] = entry;
            }

            entry.LastSeen = now;
            if (entry.Bucket.TryTake(1, now))
            {
                return true;
            }

            // Refusals within a minute count towards an automatic ban.
            if (now - entry.RefusalsSince > _clock.SecondsToTicks(60))
            {
                entry.RefusalsSince = now;
                entry.Refusals = 0;
            }

            entry.Refusals++;
            if (_options.AutoBanAfterRefusals > 0 && entry.Refusals >= _options.AutoBanAfterRefusals)
            {
                _bans.Add(BanKind.Address, address.ToString(), _options.AutoBanDuration);
                entry.Refusals = 0;
            }

            return false;
        }
    }

    /// <summary>Forgets addresses idle for a minute (from the heartbeat), so the table stays small.</summary>
    public void Prune()
    {
        var now = _clock.Now;
        var idle = _clock.SecondsToTicks(60);
        lock (_gate)
        {
            foreach (var (address, entry) in _addresses)
            {
                if (now - entry.LastSeen > idle)
                {
                    _addresses.Remove(address);
                }
            }
        }
    }

    private sealed class Entry(TokenBucket bucket)
    {
        public TokenBucket Bucket { get; } = bucket;

        public long LastSeen { get; set; }

        public long RefusalsSince { get; set; }

        public int Refusals { get; set; }
    }
}
