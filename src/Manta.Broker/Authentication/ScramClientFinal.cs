namespace Manta.Broker.Authentication;

/// <summary>
/// A parsed SCRAM client-final message (RFC 5802 section 7):
/// <c>"c=" base64(gs2-header) "," "r=" nonce [ "," extensions ] "," "p=" base64(proof)</c>.
/// </summary>
/// <param name="ChannelBinding">The decoded c= value (the GS2 header again, as no binding data is used).</param>
/// <param name="Nonce">The combined client and server nonce.</param>
/// <param name="Proof">The client proof.</param>
/// <param name="WithoutProof">client-final-message-without-proof, part of the AuthMessage.</param>
public sealed record ScramClientFinal(byte[] ChannelBinding, string Nonce, byte[] Proof, string WithoutProof)
{
    /// <summary>Parses <paramref name="message"/>; false with the reason when it is malformed.</summary>
    public static bool TryParse(string message, out ScramClientFinal result, out string error)
    {
        result = null!;
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        var parts = message.Split(',');
        if (proofAt < 0 || parts.Length < 3)
        {
            error = "client-final message has no proof";
            return false;
        }

        if (!parts[0].StartsWith("c=", StringComparison.Ordinal) || !ScramText.TryDecodeBase64(parts[0][2..], out var binding))
        {
            error = "invalid channel binding attribute";
            return false;
        }

        if (!parts[1].StartsWith("r=", StringComparison.Ordinal))
        {
            error = "missing nonce";
            return false;
        }

        if (!ScramText.TryDecodeBase64(message[(proofAt + 3)..], out var proof) || proof.Length != System.Security.Cryptography.SHA256.HashSizeInBytes)
        {
            error = "invalid proof";
            return false;
        }

        result = new ScramClientFinal(binding, parts[1][2..], proof, message[..proofAt]);
        error = string.Empty;
        return true;
    }
}
