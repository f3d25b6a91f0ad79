using System.Text;

namespace Manta.Broker.Authentication;

/// <summary>Text rules shared by the SCRAM messages: strict UTF-8, base64, nonce characters.</summary>
internal static class ScramText
{
    /// <summary>Throws on invalid bytes instead of replacing them.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>UTF-8 to text; false for bytes that are not UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out string text)
    {
        try
        {
            text = Utf8.GetString(data);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Base64 to bytes; false when it is not base64.</summary>
    public static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = [];
        return false;
    }

    /// <summary>A nonce is printable ASCII (0x21-0x7E) except ',' (RFC 5802 section 7).</summary>
    public static bool IsValidNonce(ReadOnlySpan<char> nonce)
    {
        if (nonce.IsEmpty)
        {
            return false;
        }

        foreach (var c in nonce)
        {
            if (c is < (char)0x21 or > (char)0x7E or ',')
            {
                return false;
            }
        }

        return true;
    }
}
