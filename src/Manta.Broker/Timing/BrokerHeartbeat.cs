namespace Manta.Broker.Timing;

/// <summary>
/// The one shared tick: a single timer for the whole broker instead of one per connection
/// (keep-alive, connect timeout, session expiry, will delay all run off it).
/// </summary>
internal sealed class BrokerHeartbeat : IAsyncDisposable
{
    private readonly PeriodicTimer _timer;
    private readonly Action _onTick;
    private readonly Task _loop;

    public BrokerHeartbeat(TimeSpan interval, TimeProvider timeProvider, Action onTick)
    {
        _timer = new PeriodicTimer(interval, timeProvider);
        _onTick = onTick;
        _loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        while (await _timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            _onTick();
        }
    }
}
