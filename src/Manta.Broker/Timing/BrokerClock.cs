namespace Manta.Broker.Timing;

/// <summary>
/// The broker's one notion of time, over an injected <see cref="TimeProvider"/> so that tests move
/// a fake clock instead of sleeping. Timestamps are <see cref="TimeProvider.GetTimestamp"/> ticks.
/// </summary>
public sealed class BrokerClock
{
    private readonly double _ticksPerSecond;

    /// <summary>Creates a clock over <paramref name="timeProvider"/>.</summary>
    public BrokerClock(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        _ticksPerSecond = timeProvider.TimestampFrequency;
    }

    /// <summary>The provider behind this clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The current timestamp.</summary>
    public long Now => TimeProvider.GetTimestamp();

    /// <summary>Timestamp ticks in <paramref name="seconds"/>.</summary>
    public long SecondsToTicks(double seconds) => (long)(seconds * _ticksPerSecond);

    /// <summary>Whole seconds from <paramref name="now"/> until <paramref name="deadline"/>, rounded up, at least 0.</summary>
    public uint SecondsUntil(long deadline, long now)
    {
        if (deadline <= now)
        {
            return 0;
        }

        var seconds = Math.Ceiling((deadline - now) / _ticksPerSecond);
        return seconds >= uint.MaxValue ? uint.MaxValue : (uint)seconds;
    }
}
