using System.Text;

namespace Manta.Broker.Tests.Support;

/// <summary>Builds raw packets for tests that must send what the codec refuses to encode.</summary>
public static class Bytes
{
    /// <summary>A packet: first byte, remaining length (one byte, so bodies up to 127 bytes), body.</summary>
    public static byte[] Packet(byte first, params byte[] body)
    {
        if (body.Length > 127)
        {
            throw new ArgumentException("body too long for a one-byte remaining length", nameof(body));
        }

        return [first, (byte)body.Length, .. body];
    }

    /// <summary>A length-prefixed string field, the bytes given as they are.</summary>
    public static byte[] Str(params byte[] utf8) => [(byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8];

    /// <summary>A length-prefixed UTF-8 string field.</summary>
    public static byte[] Str(string text) => Str(Encoding.UTF8.GetBytes(text));

    /// <summary>A raw CONNECT with the given protocol name and level, clean start, keep-alive 0 and client id.</summary>
    public static byte[] Connect(string protocolName, byte level, string clientId)
    {
        byte[] body = [.. Str(protocolName), level, 0x02, 0x00, 0x00, .. (level == 5 ? new byte[] { 0x00 } : []), .. Str(clientId)];
        return Packet(0x10, body);
    }
}
