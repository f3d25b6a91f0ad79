using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Manta.Server.Hosting;

/// <summary>Accepts client certificates that chain to the configured CA bundle (and only to it) and are within their validity period.</summary>
public sealed class ClientCertificateValidator
{
    private readonly X509Certificate2Collection _authorities;

    /// <summary>Reads the CA bundle (PEM, one or more certificates).</summary>
    public ClientCertificateValidator(string caBundlePath)
    {
        _authorities = [];
        _authorities.ImportFromPemFile(caBundlePath);
        if (_authorities.Count == 0)
        {
            throw new InvalidDataException($"'{caBundlePath}' holds no PEM certificate.");
        }
    }

    /// <summary>The TLS callback: true when <paramref name="certificate"/> is trusted.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.VerificationTime = DateTime.Now;
        return custom.Build(certificate);
    }
}
