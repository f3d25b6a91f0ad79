using System.Net;
using Microsoft.Extensions.Options;

namespace Manta.Server.Configuration;

/// <summary>Checks <see cref="MantaOptions"/> at start-up and names the setting that is wrong.</summary>
public sealed class MantaOptionsValidator : IValidateOptions<MantaOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MantaOptions options)
    {
        var errors = new List<string>();
        var listeners = options.EffectiveListeners;
        var ports = new HashSet<(string, int)>();
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var key = $"Manta:Listeners:{i}";
            if (!IPAddress.TryParse(listener.Address, out _) && listener.Address is not ("localhost" or "*"))
            {
                errors.Add($"{key}:Address '{listener.Address}' is not an IP address (or 'localhost' / '*').");
            }

            if (listener.Port is < 0 or > 65535)
            {
                errors.Add($"{key}:Port {listener.Port} is outside 0-65535.");
            }

            if (listener.Transport.ToLowerInvariant() is not ("tcp" or "tls" or "ws" or "wss"))
            {
                errors.Add($"{key}:Transport '{listener.Transport}' is not supported (supported: tcp, tls, ws, wss).");
            }

            if (listener.IsWebSocket && !listener.WebSocketPath.StartsWith('/'))
            {
                errors.Add($"{key}:WebSocketPath '{listener.WebSocketPath}' must start with '/'.");
            }

            if (listener.IsTls)
            {
                var certificate = listener.Certificate.IsSet ? listener.Certificate : options.Certificate;
                var certificateKey = listener.Certificate.IsSet ? $"{key}:Certificate" : "Manta:Certificate";
                if (!certificate.IsSet)
                {
                    errors.Add($"{key} is a {listener.Transport} listener but has no certificate: set {key}:Certificate or Manta:Certificate (CertificatePath + KeyPath, or PfxPath).");
                }
                else
                {
                    CheckCertificateFiles(certificate, certificateKey, errors);
                }

                if (listener.ClientCertificates != ClientCertificatePolicy.None)
                {
                    if (string.IsNullOrWhiteSpace(listener.ClientCaPath))
                    {
                        errors.Add($"{key}:ClientCaPath is required when {key}:ClientCertificates is {listener.ClientCertificates}.");
                    }
                    else if (!File.Exists(listener.ClientCaPath))
                    {
                        errors.Add($"{key}:ClientCaPath '{listener.ClientCaPath}' does not exist.");
                    }
                    else
                    {
                        try
                        {
                            _ = new Hosting.ClientCertificateValidator(listener.ClientCaPath);
                        }
                        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or InvalidDataException)
                        {
                            errors.Add($"{key}:ClientCaPath '{listener.ClientCaPath}' is not a PEM CA bundle ({exception.Message}).");
                        }
                    }
                }
            }

            if (listener.Port != 0 && !ports.Add((listener.Address, listener.Port)))
            {
                errors.Add($"{key}:Port {listener.Port} is used by another listener on {listener.Address}.");
            }
        }

        var broker = options.Broker;
        var policy = broker.Policy;
        if (broker.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Manta:Broker:ConnectTimeout must be positive (was {broker.ConnectTimeout}).");
        }

        if (broker.HeartbeatInterval <= TimeSpan.Zero || broker.HeartbeatInterval > TimeSpan.FromSeconds(10))
        {
            errors.Add($"Manta:Broker:HeartbeatInterval must be between 0 and 10 seconds (was {broker.HeartbeatInterval}).");
        }

        if (!Enum.IsDefined(policy.MaximumQoS))
        {
            errors.Add($"Manta:Broker:Policy:MaximumQoS must be AtMostOnce, AtLeastOnce or ExactlyOnce (was {(int)policy.MaximumQoS}).");
        }

        // 5 bytes of fixed header at least; at most the protocol's 268,435,455 + 5.
        if (policy.MaximumPacketSize is < 16 or > 268_435_460)
        {
            errors.Add($"Manta:Broker:Policy:MaximumPacketSize must be between 16 and 268435460 (was {policy.MaximumPacketSize}).");
        }

        if (policy.MaximumInflightMessages is < 1 or > ushort.MaxValue)
        {
            errors.Add($"Manta:Broker:Policy:MaximumInflightMessages must be between 1 and 65535 (was {policy.MaximumInflightMessages}).");
        }

        if (policy.ReceiveMaximum == 0)
        {
            errors.Add("Manta:Broker:Policy:ReceiveMaximum must be at least 1 (MQTT 5 forbids 0).");
        }

        if (policy.MaximumQueuedMessages < 1)
        {
            errors.Add($"Manta:Broker:Policy:MaximumQueuedMessages must be at least 1 (was {policy.MaximumQueuedMessages}).");
        }

        if (!Enum.IsDefined(options.Storage.Mode))
        {
            errors.Add($"Manta:Storage:Mode must be Sqlite or Memory (was {(int)options.Storage.Mode}).");
        }

        if (options.Storage.FlushInterval <= TimeSpan.Zero || options.Storage.FlushInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Manta:Storage:FlushInterval must be between 0 and 1 minute (was {options.Storage.FlushInterval}).");
        }

        if (policy.MaximumStoredMessages < 0)
        {
            errors.Add($"Manta:Broker:Policy:MaximumStoredMessages must be 0 (no limit) or more (was {policy.MaximumStoredMessages}).");
        }

        if (policy.BackpressureTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Manta:Broker:Policy:BackpressureTimeout must be positive (was {policy.BackpressureTimeout}).");
        }

        if (broker.Redirect != Broker.Policy.ServerRedirect.None && string.IsNullOrWhiteSpace(broker.ServerReference))
        {
            errors.Add($"Manta:Broker:ServerReference must be set when Manta:Broker:Redirect is {broker.Redirect}.");
        }

        if (policy.MaximumConnections < 0)
        {
            errors.Add($"Manta:Broker:Policy:MaximumConnections must be 0 (no limit) or more (was {policy.MaximumConnections}).");
        }

        if (policy.MaximumTopicLength is < 1 or > ushort.MaxValue)
        {
            errors.Add($"Manta:Broker:Policy:MaximumTopicLength must be between 1 and 65535 (was {policy.MaximumTopicLength}).");
        }

        if (policy.MaximumTopicLevels < 1)
        {
            errors.Add($"Manta:Broker:Policy:MaximumTopicLevels must be at least 1 (was {policy.MaximumTopicLevels}).");
        }

        var limits = broker.Limits;
        foreach (var (setting, value) in new (string, double)[]
        {
            ("PublishRate", limits.PublishRate), ("PublishBurst", limits.PublishBurst), ("ByteRate", limits.ByteRate),
            ("ByteBurst", limits.ByteBurst), ("ConnectionRatePerAddress", limits.ConnectionRatePerAddress), ("ConnectionBurstPerAddress", limits.ConnectionBurstPerAddress),
        })
        {
            if (value < 0 || double.IsNaN(value))
            {
                errors.Add($"Manta:Broker:Limits:{setting} must be 0 (no limit) or more (was {value}).");
            }
        }

        for (var i = 0; i < limits.Bans.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(limits.Bans[i].Value))
            {
                errors.Add($"Manta:Broker:Limits:Bans:{i}:Value must not be empty.");
            }
        }

        if (string.IsNullOrEmpty(policy.RetainPropertyName))
        {
            errors.Add("Manta:Broker:Policy:RetainPropertyName must not be empty.");
        }

        ValidateScram(options.Authentication.Scram, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateScram(ScramOptions scram, List<string> errors)
    {
        // 4096: RFC 7677 section 4; the upper bound keeps start-up (one derivation per user) and each client's work sane.
        if (scram.Iterations is < 4096 or > 10_000_000)
        {
            errors.Add($"Manta:Authentication:Scram:Iterations must be between 4096 and 10000000 (was {scram.Iterations}).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < scram.Users.Count; i++)
        {
            var user = scram.Users[i];
            var key = $"Manta:Authentication:Scram:Users:{i}";
            if (string.IsNullOrEmpty(user.UserName))
            {
                errors.Add($"{key}:UserName must not be empty.");
            }
            else if (!names.Add(user.UserName))
            {
                errors.Add($"{key}:UserName '{user.UserName}' is configured twice.");
            }

            if (string.IsNullOrEmpty(user.Password))
            {
                errors.Add($"{key}:Password must not be empty.");
            }
        }
    }

    private static void CheckCertificateFiles(CertificateOptions certificate, string key, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(certificate.PfxPath))
        {
            if (!File.Exists(certificate.PfxPath))
            {
                errors.Add($"{key}:PfxPath '{certificate.PfxPath}' does not exist.");
            }
            else
            {
                TryLoad(certificate, key, errors);
            }

            return;
        }

        if (!File.Exists(certificate.CertificatePath))
        {
            errors.Add($"{key}:CertificatePath '{certificate.CertificatePath}' does not exist.");
            return;
        }

        if (string.IsNullOrWhiteSpace(certificate.KeyPath))
        {
            errors.Add($"{key}:KeyPath is required with {key}:CertificatePath.");
        }
        else if (!File.Exists(certificate.KeyPath))
        {
            errors.Add($"{key}:KeyPath '{certificate.KeyPath}' does not exist.");
        }
        else
        {
            TryLoad(certificate, key, errors);
        }
    }

    private static void TryLoad(CertificateOptions certificate, string key, List<string> errors)
    {
        try
        {
            using var loaded = Hosting.ReloadingCertificate.Load(certificate);
            if (!loaded.HasPrivateKey)
            {
                errors.Add($"{key}: the certificate has no private key.");
            }
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
        {
            errors.Add($"{key}: the certificate cannot be read ({exception.Message}).");
        }
    }
}
