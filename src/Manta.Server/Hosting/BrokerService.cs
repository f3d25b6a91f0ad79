using Manta.Broker;

namespace Manta.Server.Hosting;

/// <summary>Starts the broker's heartbeat with the host and closes every connection when the host stops.</summary>
public sealed class BrokerService : IHostedService
{
    private readonly MqttBroker _broker;

    /// <summary>Creates the service.</summary>
    public BrokerService(MqttBroker broker) => _broker = broker;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _broker.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => _broker.StopAsync(TimeSpan.FromSeconds(5));
}
