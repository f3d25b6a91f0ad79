using System.Security.Cryptography.X509Certificates;
using Manta.Server.Configuration;

namespace Manta.Server.Hosting;

/// <summary>
/// A server certificate read from files and read again when they change, so a renewed
/// certificate is used by the next TLS handshake without a restart. The files' timestamps are
/// checked at most once a second, on handshakes.
/// </summary>
public sealed class ReloadingCertificate
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly CertificateOptions _options;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private DateTime _stamp;
    private DateTime _checkedAt;

    /// <summary>Loads the certificate now; throws with the file name when it cannot be read.</summary>
    public ReloadingCertificate(CertificateOptions options)
    {
        _options = options;
        _stamp = Stamp();
        _current = Load(options);
        _checkedAt = DateTime.UtcNow;
    }

    /// <summary>The certificate to present, reloaded first if its files changed.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = DateTime.UtcNow;
            if (now - _checkedAt < CheckInterval)
            {
                return _current;
            }

            lock (_gate)
            {
                _checkedAt = now;
                var stamp = Stamp();
                if (stamp != _stamp)
                {
                    try
                    {
                        _current = Load(_options);
                        _stamp = stamp;
                    }
                    catch (Exception exception) when (exception is IOException or System.Security.Cryptography.CryptographicException)
                    {
                        // Half-written files during a renewal: keep serving the old certificate and try again later.
                    }
                }

                return _current;
            }
        }
    }

    /// <summary>Reads a certificate with its private key from PEM or PFX files.</summary>
    public static X509Certificate2 Load(CertificateOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PfxPath))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(options.PfxPath, options.Password);
        }

        var certificate = string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(options.CertificatePath!, options.Password, options.KeyPath);

        // An ephemeral key from PEM cannot be used by SslStream on every platform; a PKCS#12 round trip makes it persistable.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    private DateTime Stamp()
    {
        var files = new[] { _options.PfxPath, _options.CertificatePath, _options.KeyPath };
        var latest = DateTime.MinValue;
        foreach (var file in files)
        {
            if (!string.IsNullOrWhiteSpace(file) && File.Exists(file))
            {
                var written = File.GetLastWriteTimeUtc(file);
                latest = written > latest ? written : latest;
            }
        }

        return latest;
    }
}
