using System.Diagnostics;
using System.Numerics;

namespace Manta.Bench;

/// <summary>
/// A latency histogram with fixed log-linear buckets, HDR style: values below 64 ns each get a
/// bucket; above, every power of two is split into 32 equal buckets, so any value is known
/// within 1/32 (about 3 %). Recording is an index computation and an increment: no allocation,
/// no lock. One recorder per connection (single writer); merge them at the end.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>Exact buckets for 0-63 ns; also the first value of the log-linear range.</summary>
    private const int LinearBuckets = 64;

    /// <summary>Buckets per power of two above <see cref="LinearBuckets"/>: 5 bits of precision.</summary>
    private const int SubBuckets = 32;

    /// <summary>Powers of two from 2^6 to 2^62 ns, which covers any latency a long can hold.</summary>
    private const int Octaves = 57;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _counts = new long[LinearBuckets + (Octaves * SubBuckets)];
    private long _total;
    private long _max;

    /// <summary>Values recorded.</summary>
    public long Count => _total;

    /// <summary>Records a latency given in <see cref="Stopwatch"/> ticks; negative values count as 0.</summary>
    public void RecordTicks(long ticks)
    {
        var ns = ticks <= 0 ? 0 : (long)(ticks * NanosecondsPerTick);
        _counts[IndexOf(ns)]++;
        _total++;
        if (ns > _max)
        {
            _max = ns;
        }
    }

    /// <summary>Adds the counts of <paramref name="other"/> to this recorder.</summary>
    public void Add(LatencyRecorder other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        _total += other._total;
        _max = Math.Max(_max, other._max);
    }

    /// <summary>The largest value recorded, in microseconds.</summary>
    public double MaxMicroseconds => _max / 1000.0;

    /// <summary>The value at quantile <paramref name="q"/> (0-1) in microseconds: the middle of its bucket, or 0 when nothing was recorded.</summary>
    public double QuantileMicroseconds(double q)
    {
        if (_total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * _total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = BucketOf(i);
                return Math.Min(low + (width / 2.0), _max) / 1000.0;
            }
        }

        return MaxMicroseconds;
    }

    private static int IndexOf(long ns)
    {
        if (ns < LinearBuckets)
        {
            return (int)ns;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)ns); // >= 6
        var shift = msb - 5;                                       // keep the top 6 bits
        var top = (int)(ns >> shift);                               // 32..63
        return LinearBuckets + ((shift - 1) * SubBuckets) + (top - SubBuckets);
    }

    private static (long Low, long Width) BucketOf(int index)
    {
        if (index < LinearBuckets)
        {
            return (index, 1);
        }

        var shift = ((index - LinearBuckets) / SubBuckets) + 1;
        var top = ((index - LinearBuckets) % SubBuckets) + SubBuckets;
        return ((long)top << shift, 1L << shift);
    }
}
