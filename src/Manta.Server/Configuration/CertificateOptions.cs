namespace Manta.Server.Configuration;

/// <summary>A server certificate: a PEM certificate and key pair, or a PFX file. Reloaded when the files change.</summary>
public sealed class CertificateOptions
{
    /// <summary>PEM certificate (chain) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file (with <see cref="CertificatePath"/>).</summary>
    public string? KeyPath { get; set; }

    /// <summary>PFX / PKCS#12 file (instead of the PEM pair).</summary>
    public string? PfxPath { get; set; }

    /// <summary>Password of the PFX file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>True when a certificate is configured at all.</summary>
    public bool IsSet => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(PfxPath);
}
