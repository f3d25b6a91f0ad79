using System.Security.Cryptography;
using System.Text;

namespace Manta.Broker.Authentication;

/// <summary>
/// What a SCRAM-SHA-256 server keeps of a password (RFC 5802 section 3): the salt, the iteration
/// count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword,
/// "Server Key"). The password itself is not kept, and neither key lets anyone log in as the user.
/// </summary>
/// <param name="Salt">The random salt announced to the client.</param>
/// <param name="Iterations">The PBKDF2 iteration count announced to the client.</param>
/// <param name="StoredKey">SHA-256 of the client key: what a client proof is checked against.</param>
/// <param name="ServerKey">The key the server signs its final message with.</param>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>Derives the keys of <paramref name="password"/> (UTF-8, no SASLprep) with <paramref name="salt"/>.</summary>
    public static ScramCredential Derive(string password, byte[] salt, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes);
        try
        {
            var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
            var storedKey = SHA256.HashData(clientKey);
            var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
            return new ScramCredential(salt, iterations, storedKey, serverKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(salted);
        }
    }
}
