using Manta.Broker;
using Manta.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Manta.Server.Hosting;

/// <summary>
/// Starts the broker's heartbeat with the host, and on SIGTERM / Ctrl-C closes every connection
/// as soon as stopping begins, so Kestrel's wait for open connections ends at once.
/// </summary>
public sealed class BrokerService : IHostedService
{
    private readonly MqttBroker _broker;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly MantaOptions _options;
    private readonly ILogger<BrokerService> _logger;
    private CancellationTokenRegistration _started;
    private CancellationTokenRegistration _stopping;

    /// <summary>Creates the service.</summary>
    public BrokerService(MqttBroker broker, IHostApplicationLifetime lifetime, IOptions<MantaOptions> options, ILogger<BrokerService> logger)
    {
        _broker = broker;
        _lifetime = lifetime;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _broker.Start();
        _started = _lifetime.ApplicationStarted.Register(LogListeners);
        _stopping = _lifetime.ApplicationStopping.Register(BeginStop);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync();
        await _stopping.DisposeAsync();
        await _broker.StopAsync(TimeSpan.FromSeconds(5));
    }

    private void LogListeners()
    {
        foreach (var listener in _options.EffectiveListeners)
        {
            ServerLog.ListenerStarted(_logger, listener.Name, listener.Address, listener.Port, listener.Transport);
        }
    }

    private void BeginStop()
    {
        ServerLog.Stopping(_logger, _broker.Connections.Count);
        _broker.BeginStop();
    }
}
