using System.Net;
using Microsoft.Extensions.Options;

namespace Manta.Server.Configuration;

/// <summary>Checks <see cref="HttpOptions"/> at start-up and names the setting that is wrong.</summary>
public sealed class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
    private readonly IReadOnlyList<ListenerOptions> _mqttListeners;

    /// <summary>Creates a validator; <paramref name="mqttListeners"/> are checked for a port the HTTP port would collide with.</summary>
    public HttpOptionsValidator(IReadOnlyList<ListenerOptions>? mqttListeners = null) => _mqttListeners = mqttListeners ?? [];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HttpOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!IPAddress.TryParse(options.Address, out _) && options.Address is not ("localhost" or "*"))
        {
            errors.Add($"Manta:Http:Address '{options.Address}' is not an IP address (or 'localhost' / '*').");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Manta:Http:Port {options.Port} is outside 0-65535.");
        }

        for (var i = 0; i < _mqttListeners.Count; i++)
        {
            var listener = _mqttListeners[i];
            if (options.Port != 0 && listener.Port == options.Port && Overlap(listener.Address, options.Address))
            {
                errors.Add($"Manta:Http:Port {options.Port} is used by the MQTT listener Manta:Listeners:{i} ('{listener.Name}') on {listener.Address}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Two binds collide on the same address, or when either is a wildcard.
    private static bool Overlap(string a, string b)
        => a == b || IsWildcard(a) || IsWildcard(b);

    private static bool IsWildcard(string address) => address is "*" or "0.0.0.0" or "::";
}
