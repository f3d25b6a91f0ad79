using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Manta.Server.Tests.Tls;

/// <summary>
/// A throwaway PKI made in the test with <see cref="CertificateRequest"/>: a CA, a server
/// certificate for 127.0.0.1/localhost, client certificates (trusted, from another CA, expired),
/// written as PEM files for the server and for mosquitto.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "manta-tls-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);

        _ca = CreateAuthority("Manta Test CA");
        var ca = _ca;
        using var otherCa = CreateAuthority("Somebody Else's CA");
        CaPath = WriteCertificate(ca, "ca.pem");
        OtherCaPath = WriteCertificate(otherCa, "other-ca.pem");

        using (var server = Issue(ca, "localhost", server: true, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)))
        {
            (ServerCertificatePath, ServerKeyPath) = WritePair(server, "server");
        }

        using (var client = Issue(ca, "device-42", server: false, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)))
        {
            (ClientCertificatePath, ClientKeyPath) = WritePair(client, "client");
        }

        using (var stranger = Issue(otherCa, "stranger", server: false, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)))
        {
            (StrangerCertificatePath, StrangerKeyPath) = WritePair(stranger, "stranger");
        }

        using (var expired = Issue(ca, "expired-device", server: false, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)))
        {
            (ExpiredCertificatePath, ExpiredKeyPath) = WritePair(expired, "expired");
        }
    }

    private readonly X509Certificate2 _ca;

    public string Directory { get; }

    public string CaPath { get; }

    public string OtherCaPath { get; }

    public string ServerCertificatePath { get; }

    public string ServerKeyPath { get; }

    public string ClientCertificatePath { get; }

    public string ClientKeyPath { get; }

    public string StrangerCertificatePath { get; }

    public string StrangerKeyPath { get; }

    public string ExpiredCertificatePath { get; }

    public string ExpiredKeyPath { get; }

    /// <summary>The CA as an object, for clients that validate the server in code.</summary>
    public X509Certificate2 LoadCa() => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    /// <summary>A client certificate with its key, for MQTTnet.</summary>
    public static X509Certificate2 LoadPair(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Overwrites the server certificate files with a new certificate whose common name is <paramref name="commonName"/>.</summary>
    public void RenewServerCertificate(string commonName)
    {
        using var renewed = Issue(_ca, commonName, server: true, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(ServerKeyPath, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(ServerCertificatePath, renewed.ExportCertificatePem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 CreateAuthority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(authority, notBefore, notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    private string WriteCertificate(X509Certificate2 certificate, string file)
    {
        var path = Path.Combine(Directory, file);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private (string Certificate, string Key) WritePair(X509Certificate2 certificate, string name)
    {
        var certificatePath = WriteCertificate(certificate, name + ".pem");
        var keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
