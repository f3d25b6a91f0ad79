namespace Manta.Broker.Authentication;

/// <summary>
/// A parsed SCRAM client-first message (RFC 5802 section 7):
/// <c>gs2-cbind-flag "," [ "a=" authzid ] "," "n=" saslname "," "r=" c-nonce [ "," extensions ]</c>.
/// </summary>
/// <param name="Gs2Header">The GS2 header (<c>n,,</c> or <c>y,,</c>), which the client-final message repeats in c=.</param>
/// <param name="UserName">The user name, with =2C and =3D unescaped.</param>
/// <param name="ClientNonce">The client's nonce.</param>
/// <param name="Bare">client-first-message-bare, part of the AuthMessage both sides sign.</param>
public sealed record ScramClientFirst(string Gs2Header, string UserName, string ClientNonce, string Bare)
{
    /// <summary>Parses <paramref name="message"/>; false with the reason when it is malformed or asks for what this server does not do.</summary>
    public static bool TryParse(string message, out ScramClientFirst result, out string error)
    {
        result = null!;
        var parts = message.Split(',');
        if (parts.Length < 4)
        {
            error = "client-first message has too few attributes";
            return false;
        }

        // 'n': the client does no channel binding; 'y': it could, but thinks we cannot - right, since
        // SCRAM-SHA-256-PLUS is not offered (RFC 5802 section 6). 'p=': it requires binding we lack.
        if (parts[0].StartsWith("p=", StringComparison.Ordinal))
        {
            error = "channel binding is not supported (SCRAM-SHA-256-PLUS is not offered)";
            return false;
        }

        if (parts[0] is not ("n" or "y"))
        {
            error = $"invalid GS2 channel binding flag '{parts[0]}'";
            return false;
        }

        if (parts[1].Length > 0 && (!parts[1].StartsWith("a=", StringComparison.Ordinal) || !TryUnescape(parts[1][2..], out _)))
        {
            error = "invalid authorization identity";
            return false;
        }

        if (parts[2].StartsWith("m=", StringComparison.Ordinal))
        {
            error = "mandatory extensions are not supported";
            return false;
        }

        if (!parts[2].StartsWith("n=", StringComparison.Ordinal) || !TryUnescape(parts[2][2..], out var userName) || userName.Length == 0)
        {
            error = "invalid user name";
            return false;
        }

        if (!parts[3].StartsWith("r=", StringComparison.Ordinal) || !ScramText.IsValidNonce(parts[3].AsSpan(2)))
        {
            error = "invalid client nonce";
            return false;
        }

        if (parts[1].Length > 0 && parts[1][2..] != parts[2][2..])
        {
            // Acting as another identity would need a rule for who may act as whom; there is none.
            error = "an authorization identity other than the user name is not supported";
            return false;
        }

        var gs2Header = parts[0] + "," + parts[1] + ",";
        result = new ScramClientFirst(gs2Header, userName, parts[3][2..], message[gs2Header.Length..]);
        error = string.Empty;
        return true;
    }

    /// <summary>saslname: "=2C" is ',' and "=3D" is '='; any other '=' is an error (RFC 5802 section 5.1).</summary>
    private static bool TryUnescape(string saslName, out string value)
    {
        value = saslName;
        if (!saslName.Contains('=', StringComparison.Ordinal))
        {
            return true;
        }

        var builder = new System.Text.StringBuilder(saslName.Length);
        for (var i = 0; i < saslName.Length; i++)
        {
            if (saslName[i] != '=')
            {
                builder.Append(saslName[i]);
                continue;
            }

            var escape = saslName.AsSpan(i);
            if (escape.StartsWith("=2C", StringComparison.Ordinal))
            {
                builder.Append(',');
            }
            else if (escape.StartsWith("=3D", StringComparison.Ordinal))
            {
                builder.Append('=');
            }
            else
            {
                return false;
            }

            i += 2;
        }

        value = builder.ToString();
        return true;
    }
}
