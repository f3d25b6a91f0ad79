namespace Manta.Server.Configuration;

/// <summary>Whether a TLS listener asks clients for a certificate.</summary>
public enum ClientCertificatePolicy
{
    /// <summary>No client certificate is asked for.</summary>
    None,

    /// <summary>Asked for; a client without one is let through, one with an untrusted one is not.</summary>
    Optional,

    /// <summary>Mutual TLS: a certificate issued by the configured CA is required.</summary>
    Required,
}
