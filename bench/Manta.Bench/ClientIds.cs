using System.Globalization;

namespace Manta.Bench;

/// <summary>
/// Client ids unique per run and valid for any broker: at most 23 characters of [0-9a-zA-Z],
/// the set every MQTT 3.1.1 server must accept (§3.1.3.1). "mb", the process id, three random
/// characters (two machines with the same pid on one broker), a role letter and an index.
/// Persistent sessions (<c>--clean false</c>) use <see cref="Stable"/> ids instead.
/// </summary>
internal sealed class ClientIds
{
    /// <summary>Digits of the index in <see cref="Patchable"/> ids: 10, room for every connect of a long storm.</summary>
    public const int PatchableDigits = 10;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly string _prefix;

    public ClientIds()
    {
        var random = string.Create(3, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
            }
        });
        _prefix = string.Create(CultureInfo.InvariantCulture, $"mb{Environment.ProcessId}{random}");
    }

    /// <summary>The id of connection <paramref name="index"/> in a role: 'p' publisher, 's' subscriber, 'i' idle.</summary>
    public string For(char role, int index) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}{role}{index}");

    /// <summary>
    /// The id of connection <paramref name="index"/> in a role, the same in every run: "mbkeep", the
    /// role letter and the index. For persistent sessions: each run takes over (and first discards)
    /// the session the previous run left under the same id, so a broker holds at most one per
    /// connection however many runs it served, instead of one more per run, each still subscribed
    /// and queueing.
    /// </summary>
    public static string Stable(char role, int index) => string.Create(CultureInfo.InvariantCulture, $"mbkeep{role}{index}");

    /// <summary>An id whose last <see cref="PatchableDigits"/> characters are digits to overwrite per connection (see <see cref="Patch"/>).</summary>
    public string Patchable(char role) => _prefix + role + new string('0', PatchableDigits);

    /// <summary>Writes <paramref name="value"/> as <see cref="PatchableDigits"/> ASCII digits into <paramref name="destination"/>.</summary>
    public static void Patch(Span<byte> destination, long value)
    {
        for (var i = PatchableDigits - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
