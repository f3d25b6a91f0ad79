using Manta.Broker;

namespace Manta.Server.Health;

/// <summary>Ready once the host has started (ApplicationStarted) and until it begins stopping or the broker refuses new clients.</summary>
public sealed class HostReadinessCheck : IReadinessCheck
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly MqttBroker _broker;

    /// <summary>Creates the check.</summary>
    public HostReadinessCheck(IHostApplicationLifetime lifetime, MqttBroker broker)
    {
        _lifetime = lifetime;
        _broker = broker;
    }

    /// <inheritdoc />
    public string Name => "host";

    /// <inheritdoc />
    public ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (_lifetime.ApplicationStopping.IsCancellationRequested || _broker.IsStopping)
        {
            return ValueTask.FromResult(ReadinessResult.Down("stopping"));
        }

        return ValueTask.FromResult(_lifetime.ApplicationStarted.IsCancellationRequested
            ? ReadinessResult.Up("started")
            : ReadinessResult.Down("starting"));
    }
}
