using System.Security.Cryptography;
using System.Text;

namespace Manta.Tests.Shared;

/// <summary>
/// The client side of SCRAM-SHA-256 (RFC 5802), written for the tests from the RFC's formulas
/// so the server is checked against an independent computation.
/// </summary>
public sealed class ScramTestClient(string userName, string password, string clientNonce = "fyko+d2lbbFgONRv9qkxdawL")
{
    private byte[]? _expectedServerSignature;

    public string ClientFirstBare => $"n={userName.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},r={clientNonce}";

    public byte[] ClientFirst() => Encoding.UTF8.GetBytes("n,," + ClientFirstBare);

    /// <summary>Answers server-first with client-final (and remembers the server signature to expect).</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var attributes = serverFirst.Split(',').ToDictionary(a => a[..1], a => a[2..]);
        var nonce = attributes["r"];
        if (!nonce.StartsWith(clientNonce, StringComparison.Ordinal) || nonce.Length == clientNonce.Length)
        {
            throw new InvalidOperationException($"server nonce '{nonce}' does not extend the client nonce");
        }

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(attributes["s"]), int.Parse(attributes["i"], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, Encoding.UTF8.GetBytes("Client Key"));
        var storedKey = SHA256.HashData(clientKey);
        var withoutProof = $"c=biws,r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{ClientFirstBare},{serverFirst},{withoutProof}");
        var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ clientSignature[i]);
        }

        _expectedServerSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, Encoding.UTF8.GetBytes("Server Key")), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>True when server-final carries the signature only a server that knows the password's keys can make.</summary>
    public bool VerifyServerFinal(byte[]? serverFinal)
        => serverFinal is not null && _expectedServerSignature is not null
        && Encoding.UTF8.GetString(serverFinal) == "v=" + Convert.ToBase64String(_expectedServerSignature);
}
