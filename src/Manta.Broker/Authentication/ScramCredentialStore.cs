using System.Security.Cryptography;
using System.Text;

namespace Manta.Broker.Authentication;

/// <summary>
/// SCRAM-SHA-256 users by name, keys derived once when a user is added (the password is not kept).
/// For a name it does not know it makes up a credential that is the same on every attempt, so
/// the exchange looks alike for known and unknown users and fails only at the proof.
/// </summary>
public sealed class ScramCredentialStore
{
    /// <summary>Salt length in bytes (RFC 5802 leaves it open; 16 is what common servers use).</summary>
    public const int SaltLength = 16;

    /// <summary>The iteration count RFC 7677 section 4 asks for at least.</summary>
    public const int DefaultIterations = 4096;

    private readonly Dictionary<string, ScramCredential> _users = new(StringComparer.Ordinal);
    private readonly byte[] _fakeSecret = RandomNumberGenerator.GetBytes(32);

    /// <summary>Creates an empty store; unknown users are answered with <paramref name="fakeIterations"/>.</summary>
    public ScramCredentialStore(int fakeIterations = DefaultIterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fakeIterations, 1);
        FakeIterations = fakeIterations;
    }

    /// <summary>Iteration count announced for unknown users (the configured count, so it gives nothing away).</summary>
    public int FakeIterations { get; }

    /// <summary>Number of users.</summary>
    public int Count => _users.Count;

    /// <summary>Adds (or replaces) a user; a random salt unless <paramref name="salt"/> is given. Not thread-safe: fill the store before use.</summary>
    public void Add(string userName, string password, int iterations = DefaultIterations, byte[]? salt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentNullException.ThrowIfNull(password);
        _users[userName] = ScramCredential.Derive(password, salt ?? RandomNumberGenerator.GetBytes(SaltLength), iterations);
    }

    /// <summary>The credential of <paramref name="userName"/>, or false with a made-up one (same salt on every call, keys nobody can match).</summary>
    public bool TryGet(string userName, out ScramCredential credential)
    {
        if (_users.TryGetValue(userName, out var known))
        {
            credential = known;
            return true;
        }

        var seed = HMACSHA256.HashData(_fakeSecret, Encoding.UTF8.GetBytes(userName));
        credential = new ScramCredential(seed[..SaltLength], FakeIterations, SHA256.HashData(seed), HMACSHA256.HashData(seed, "Server Key"u8));
        return false;
    }
}
