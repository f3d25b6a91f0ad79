using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Manta.Bench;

/// <summary>The MQTT protocol versions the tool speaks; the value is the CONNECT protocol level.</summary>
internal enum MqttVersion
{
    /// <summary>MQTT 3.1.1 (protocol level 4).</summary>
    V311 = 4,

    /// <summary>MQTT 5.0 (protocol level 5): every packet the tool sends has an empty property block.</summary>
    V500 = 5,
}

/// <summary>Packet type numbers: the high nibble of the fixed header's first byte.</summary>
internal static class PacketType
{
    public const int ConnAck = 2;
    public const int Publish = 3;
    public const int PubAck = 4;
    public const int PubRec = 5;
    public const int PubRel = 6;
    public const int PubComp = 7;
    public const int SubAck = 9;
    public const int PingResp = 13;
    public const int Disconnect = 14;
}

/// <summary>What a CONNACK or SUBACK told the client beyond "accepted" (MQTT 5.0 properties; defaults for 3.1.1).</summary>
internal struct ServerLimits
{
    /// <summary>Receive Maximum (0x21): QoS 1 and 2 publishes the server accepts unacknowledged; 65,535 when absent.</summary>
    public int ReceiveMaximum;

    /// <summary>Maximum QoS (0x24); 2 when absent.</summary>
    public int MaximumQoS;

    /// <summary>Server Keep Alive (0x13): the keep-alive the client must use instead of its own, or null.</summary>
    public int? ServerKeepAlive;

    /// <summary>Maximum Packet Size (0x27) the server accepts; <see cref="long.MaxValue"/> when absent.</summary>
    public long MaximumPacketSize;

    /// <summary>Reason String (0x1F), for error messages.</summary>
    public string? ReasonString;

    public static ServerLimits Defaults => new() { ReceiveMaximum = 65_535, MaximumQoS = 2, MaximumPacketSize = long.MaxValue };
}

/// <summary>
/// The few decoding helpers the tool needs: variable byte integers, MQTT 5.0 property blocks
/// (skipped on the hot path, read in CONNACK, SUBACK and DISCONNECT) and the handshake replies.
/// Sans-I/O: everything takes spans.
/// </summary>
internal static class Wire
{
    /// <summary>Reads a variable byte integer (1-4 bytes, 7 bits each, least significant first); false when incomplete or longer than 4 bytes.</summary>
    public static bool TryReadVariableInt(ReadOnlySpan<byte> data, out int value, out int size)
    {
        value = 0;
        for (size = 0; size < 4 && size < data.Length;)
        {
            var b = data[size++];
            value |= (b & 0x7F) << (7 * (size - 1));
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Skips the MQTT 5.0 property block (variable byte length, then the properties) that starts
    /// at <paramref name="offset"/>; returns the offset after it, or -1 when it is malformed.
    /// </summary>
    public static int SkipProperties(ReadOnlySpan<byte> body, int offset)
    {
        if (offset >= body.Length || !TryReadVariableInt(body[offset..], out var length, out var size))
        {
            return -1;
        }

        var end = offset + size + length;
        return end <= body.Length ? end : -1;
    }

    /// <summary>
    /// Reads the MQTT 5.0 property block at <paramref name="offset"/> into <paramref name="limits"/>
    /// (the properties the tool acts on) and returns the offset after it, or -1 when malformed.
    /// Every property of the specification is understood, so unknown ids are malformed.
    /// </summary>
    public static int ReadProperties(ReadOnlySpan<byte> body, int offset, ref ServerLimits limits)
    {
        if (offset >= body.Length || !TryReadVariableInt(body[offset..], out var length, out var size))
        {
            return -1;
        }

        var p = offset + size;
        var end = p + length;
        if (end > body.Length)
        {
            return -1;
        }

        while (p < end)
        {
            var id = body[p++];
            int need;
            switch (id)
            {
                // One byte: payload format, request problem/response information, maximum QoS,
                // retain / wildcard / subscription id / shared subscription available.
                case 0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    need = 1;
                    if (id == 0x24 && p < end)
                    {
                        limits.MaximumQoS = body[p];
                    }

                    break;

                // Two-byte integer: server keep alive, receive maximum, topic alias maximum, topic alias.
                case 0x13 or 0x21 or 0x22 or 0x23:
                    need = 2;
                    if (p + 2 <= end)
                    {
                        var v = BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
                        if (id == 0x13)
                        {
                            limits.ServerKeepAlive = v;
                        }
                        else if (id == 0x21)
                        {
                            limits.ReceiveMaximum = v;
                        }
                    }

                    break;

                // Four-byte integer: message expiry, session expiry, will delay, maximum packet size.
                case 0x02 or 0x11 or 0x18 or 0x27:
                    need = 4;
                    if (id == 0x27 && p + 4 <= end)
                    {
                        limits.MaximumPacketSize = BinaryPrimitives.ReadUInt32BigEndian(body[p..]);
                    }

                    break;

                // Variable byte integer: subscription identifier.
                case 0x0B:
                    if (!TryReadVariableInt(body[p..end], out _, out need))
                    {
                        return -1;
                    }

                    break;

                // UTF-8 string or binary data: 2-byte length, then the bytes.
                case 0x03 or 0x08 or 0x09 or 0x12 or 0x15 or 0x16 or 0x1A or 0x1C or 0x1F:
                    if (p + 2 > end)
                    {
                        return -1;
                    }

                    need = 2 + BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
                    if (id == 0x1F && p + need <= end)
                    {
                        limits.ReasonString = Encoding.UTF8.GetString(body.Slice(p + 2, need - 2));
                    }

                    break;

                // User property: two strings.
                case 0x26:
                    if (p + 2 > end)
                    {
                        return -1;
                    }

                    need = 2 + BinaryPrimitives.ReadUInt16BigEndian(body[p..]);
                    if (p + need + 2 > end)
                    {
                        return -1;
                    }

                    need += 2 + BinaryPrimitives.ReadUInt16BigEndian(body[(p + need)..]);
                    break;
                default:
                    return -1;
            }

            if (p + need > end)
            {
                return -1;
            }

            p += need;
        }

        return end;
    }

    /// <summary>
    /// Checks a CONNACK; returns null when the connection was accepted, else why not.
    /// </summary>
    /// <remarks>
    /// 3.1.1 (§3.2): acknowledge flags (1), return code (1); 0 is accepted.
    /// 5.0 (§3.2): acknowledge flags (1), reason code (1), properties; below 0x80 is success.
    /// A 3.1.1-only broker answers a 5.0 CONNECT with a 2-byte CONNACK, return code 1.
    /// </remarks>
    public static string? CheckConnAck(byte header, ReadOnlySpan<byte> body, MqttVersion version, ref ServerLimits limits)
    {
        if (header >> 4 != PacketType.ConnAck)
        {
            return $"expected CONNACK, got packet type {header >> 4}";
        }

        if (body.Length < 2)
        {
            return "malformed CONNACK";
        }

        var code = body[1];
        if (version == MqttVersion.V311 || body.Length == 2)
        {
            if (code == 0)
            {
                return null;
            }

            return version == MqttVersion.V500 && code == 1
                ? "CONNACK return code 1: unacceptable protocol version (the broker does not speak MQTT 5.0; try --protocol 3.1.1)"
                : $"CONNACK return code {code}: {ConnAckReturnCode(code)}";
        }

        if (ReadProperties(body, 2, ref limits) < 0)
        {
            return "malformed CONNACK properties";
        }

        return code < 0x80
            ? null
            : $"CONNACK reason code 0x{code:X2}: {ReasonCodeName(code)}{(limits.ReasonString is { } s ? $" ({s})" : string.Empty)}";
    }

    /// <summary>
    /// Checks a SUBACK for one filter; returns null and the granted QoS when it was granted, else why not.
    /// </summary>
    /// <remarks>
    /// 3.1.1 (§3.9): packet id (2), one return code per filter: 0-2 granted QoS, 0x80 failure.
    /// 5.0 (§3.9): packet id (2), properties, one reason code per filter: 0-2 granted, 0x80 and up failure.
    /// </remarks>
    public static string? CheckSubAck(byte header, ReadOnlySpan<byte> body, MqttVersion version, out int grantedQoS)
    {
        grantedQoS = -1;
        if (header >> 4 != PacketType.SubAck)
        {
            return $"expected SUBACK, got packet type {header >> 4}";
        }

        var offset = 2;
        var limits = ServerLimits.Defaults;
        if (version == MqttVersion.V500)
        {
            offset = ReadProperties(body, offset, ref limits);
        }

        if (offset < 0 || offset >= body.Length)
        {
            return "malformed SUBACK";
        }

        var code = body[offset];
        if (code <= 2)
        {
            grantedQoS = code;
            return null;
        }

        return $"SUBACK {(version == MqttVersion.V311 ? "return" : "reason")} code 0x{code:X2}: {ReasonCodeName(code)}{(limits.ReasonString is { } s ? $" ({s})" : string.Empty)}";
    }

    /// <summary>Describes a DISCONNECT the broker sent (5.0: reason code and properties; 3.1.1 servers never send one).</summary>
    public static string DescribeDisconnect(ReadOnlySpan<byte> body)
    {
        if (body.Length == 0)
        {
            return "DISCONNECT from the broker (normal)";
        }

        var limits = ServerLimits.Defaults;
        if (body.Length > 1)
        {
            _ = ReadProperties(body, 1, ref limits);
        }

        return $"DISCONNECT from the broker, reason 0x{body[0]:X2}: {ReasonCodeName(body[0])}{(limits.ReasonString is { } s ? $" ({s})" : string.Empty)}";
    }

    private static string ConnAckReturnCode(int code) => code switch
    {
        1 => "unacceptable protocol version",
        2 => "identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorized",
        _ => "unknown",
    };

    /// <summary>MQTT 5.0 reason codes (§2.4) the tool may meet; 0x80 is also 3.1.1's SUBACK failure.</summary>
    public static string ReasonCodeName(int code) => code switch
    {
        0x00 => "success",
        0x10 => "no matching subscribers",
        0x80 => "unspecified error",
        0x81 => "malformed packet",
        0x82 => "protocol error",
        0x83 => "implementation specific error",
        0x84 => "unsupported protocol version",
        0x85 => "client identifier not valid",
        0x86 => "bad user name or password",
        0x87 => "not authorized",
        0x88 => "server unavailable",
        0x89 => "server busy",
        0x8A => "banned",
        0x8B => "server shutting down",
        0x8D => "keep alive timeout",
        0x8E => "session taken over",
        0x8F => "topic filter invalid",
        0x90 => "topic name invalid",
        0x91 => "packet identifier in use",
        0x92 => "packet identifier not found",
        0x93 => "receive maximum exceeded",
        0x95 => "packet too large",
        0x96 => "message rate too high",
        0x97 => "quota exceeded",
        0x99 => "payload format invalid",
        0x9A => "retain not supported",
        0x9B => "QoS not supported",
        0x9E => "shared subscriptions not supported",
        0x9F => "connection rate exceeded",
        0xA1 => "subscription identifiers not supported",
        0xA2 => "wildcard subscriptions not supported",
        _ => string.Create(CultureInfo.InvariantCulture, $"code {code}"),
    };
}
