using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Manta.Server.Cli;

/// <summary>
/// A development PKI: a CA, a server certificate for localhost, 127.0.0.1, ::1 and any extra
/// names, and a client certificate, all ECDSA P-256, written as PEM files.
/// </summary>
public static class DevCertificates
{
    /// <summary>Writes ca.pem/ca.key, server.pem/server.key, client.pem/client.key into <paramref name="directory"/>; returns the full paths written.</summary>
    public static IReadOnlyList<string> Write(string directory, IEnumerable<string> extraHosts, TimeSpan validity)
    {
        Directory.CreateDirectory(directory);
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow + validity;
        using var ca = CreateAuthority("Manta Development CA", notBefore, notAfter.AddDays(1));
        using var server = Issue(ca, "localhost", ServerNames(extraHosts), notBefore, notAfter);
        using var client = Issue(ca, "manta-dev-client", names: null, notBefore, notAfter);
        return
        [
            .. WritePair(directory, "ca", ca),
            .. WritePair(directory, "server", server),
            .. WritePair(directory, "client", client),
        ];
    }

    private static SubjectAlternativeNameBuilder ServerNames(IEnumerable<string> extraHosts)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var host in extraHosts.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else if (!string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                names.AddDnsName(host);
            }
        }

        return names;
    }

    private static X509Certificate2 CreateAuthority(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, SubjectAlternativeNameBuilder? names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(names is not null ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = request.Create(authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private static string[] WritePair(string directory, string name, X509Certificate2 certificate)
    {
        var certificatePath = Path.GetFullPath(Path.Combine(directory, name + ".pem"));
        var keyPath = Path.GetFullPath(Path.Combine(directory, name + ".key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return [certificatePath, keyPath];
    }
}
