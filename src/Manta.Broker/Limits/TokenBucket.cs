namespace Manta.Broker.Limits;

/// <summary>
/// A token bucket over the broker clock: <c>rate</c> tokens a second, at most <c>burst</c> saved
/// up. Refilled lazily when asked, so an idle bucket costs nothing. Not thread-safe: one owner.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _rate;
    private readonly double _burst;
    private readonly double _ticksPerSecond;
    private double _tokens;
    private long _last;

    public TokenBucket(double rate, double burst, long now, double ticksPerSecond)
    {
        _rate = rate;
        _burst = Math.Max(burst, 1);
        _ticksPerSecond = ticksPerSecond;
        _tokens = _burst;
        _last = now;
    }

    /// <summary>Takes <paramref name="cost"/> tokens if there are enough; false (nothing taken) otherwise.</summary>
    public bool TryTake(double cost, long now)
    {
        Refill(now);
        if (_tokens < cost)
        {
            return false;
        }

        _tokens -= cost;
        return true;
    }

    /// <summary>Takes <paramref name="cost"/> tokens, going into debt if need be; returns how long until the debt is paid.</summary>
    public TimeSpan TakeOrOwe(double cost, long now)
    {
        Refill(now);
        _tokens -= cost;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
    }

    private void Refill(long now)
    {
        if (now > _last)
        {
            _tokens = Math.Min(_burst, _tokens + ((now - _last) / _ticksPerSecond * _rate));
            _last = now;
        }
    }
}
