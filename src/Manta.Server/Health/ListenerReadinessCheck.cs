using System.Globalization;
using Manta.Server.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Manta.Server.Health;

/// <summary>
/// Ready when Kestrel reports a bound endpoint for every configured MQTT listener: one with that
/// port for a fixed port, and at least as many endpoints as listeners (port 0 binds a free port).
/// </summary>
public sealed class ListenerReadinessCheck : IReadinessCheck
{
    private readonly IServer _server;
    private readonly IReadOnlyList<ListenerOptions> _listeners;

    /// <summary>Creates the check.</summary>
    public ListenerReadinessCheck(IServer server, IOptions<MantaOptions> options)
    {
        _server = server;
        _listeners = options.Value.EffectiveListeners;
    }

    /// <inheritdoc />
    public string Name => "listeners";

    /// <inheritdoc />
    public ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken)
    {
        var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count < _listeners.Count)
        {
            return ValueTask.FromResult(ReadinessResult.Down($"{addresses?.Count ?? 0} endpoint(s) bound for {_listeners.Count} MQTT listener(s)"));
        }

        var ports = new HashSet<int>();
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                ports.Add(uri.Port);
            }
        }

        foreach (var listener in _listeners)
        {
            if (listener.Port != 0 && !ports.Contains(listener.Port))
            {
                return ValueTask.FromResult(ReadinessResult.Down($"MQTT listener '{listener.Name}' on port {listener.Port.ToString(CultureInfo.InvariantCulture)} is not bound"));
            }
        }

        return ValueTask.FromResult(ReadinessResult.Up($"{_listeners.Count} MQTT listener(s) bound"));
    }
}
