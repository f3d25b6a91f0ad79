using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Manta.Bench;

/// <summary>
/// The packets the tool sends, encoded once at setup. The hot path copies these bytes and
/// patches only the packet id, the timestamp and the sequence number.
/// </summary>
/// <remarks>
/// The tool has its own encoder (it does not use Manta.Protocol) so that it is a black-box
/// client: a codec bug in the broker cannot be mirrored by the load generator. Every packet is
/// the plainest standard form: no will, no credentials, no retain, no DUP, and in MQTT 5.0 an
/// empty property block everywhere.
/// </remarks>
internal static class PacketTemplates
{
    /// <summary>PINGREQ (§3.12): 0xC0, remaining length 0.</summary>
    public static readonly byte[] PingReq = [0xC0, 0x00];

    /// <summary>
    /// DISCONNECT (§3.14): 0xE0, remaining length 0. In 5.0 a remaining length of 0 means reason
    /// code 0x00, normal disconnection, without properties.
    /// </summary>
    public static readonly byte[] Disconnect = [0xE0, 0x00];

    /// <summary>Bytes of an acknowledgement the tool sends (PUBACK, PUBREC, PUBREL, PUBCOMP).</summary>
    public const int AckSize = 4;

    /// <summary>
    /// CONNECT with nothing but a client id: a clean session, or with
    /// <paramref name="sessionExpirySeconds"/> given a persistent one.
    /// <code>
    /// 0x10 | remaining length (1-4)
    /// 00 04 'M' 'Q' 'T' 'T'           protocol name
    /// 04 (3.1.1) or 05 (5.0)          protocol level
    /// 0x02 or 0x00                    flags: clean session / clean start, or none (persistent)
    /// keep alive (2, seconds)
    /// 00                              (5.0 only) property length 0, or for a persistent session
    /// 05 11 nn nn nn nn               property length 5: Session Expiry Interval (4, seconds)
    /// client id (2-byte length + UTF-8)
    /// </code>
    /// The client id is last, so it ends the packet.
    /// </summary>
    public static byte[] Connect(string clientId, MqttVersion version, ushort keepAliveSeconds, uint? sessionExpirySeconds = null)
    {
        var body = new ArrayBufferWriter<byte>();
        WriteString(body, "MQTT");
        WriteByte(body, (byte)version);
        WriteByte(body, sessionExpirySeconds is null ? (byte)0x02 : (byte)0x00);
        WriteUInt16(body, keepAliveSeconds);
        if (version == MqttVersion.V500)
        {
            if (sessionExpirySeconds is uint expiry)
            {
                WriteByte(body, 0x05);
                WriteByte(body, 0x11);
                BinaryPrimitives.WriteUInt32BigEndian(body.GetSpan(4), expiry);
                body.Advance(4);
            }
            else
            {
                WriteByte(body, 0x00);
            }
        }

        WriteString(body, clientId);
        return Frame(0x10, body.WrittenSpan);
    }

    /// <summary>Where the client id's characters start in a packet from <see cref="Connect"/>: its last bytes.</summary>
    public static int ClientIdOffset(byte[] connect, string clientId) => connect.Length - Encoding.UTF8.GetByteCount(clientId);

    /// <summary>
    /// SUBSCRIBE to one filter (packet id 1).
    /// <code>
    /// 0x82 | remaining length         (the reserved flags 0010 are mandatory)
    /// packet id (2)
    /// 00                              (5.0 only) property length 0
    /// filter (2-byte length + UTF-8)
    /// options (1): maximum QoS in bits 0-1; in 5.0 no-local, retain-as-published and retain handling all 0
    /// </code>
    /// </summary>
    public static byte[] Subscribe(string filter, int qos, MqttVersion version)
    {
        var body = new ArrayBufferWriter<byte>();
        WriteUInt16(body, 1);
        if (version == MqttVersion.V500)
        {
            WriteByte(body, 0x00);
        }

        WriteString(body, filter);
        WriteByte(body, (byte)qos);
        return Frame(0x82, body.WrittenSpan);
    }

    /// <summary>
    /// One PUBLISH with a zeroed payload of <paramref name="payloadSize"/> bytes.
    /// <code>
    /// 0x30 | QoS &lt;&lt; 1 | remaining length    (no DUP, no RETAIN)
    /// topic (2-byte length + UTF-8)
    /// packet id (2)                   QoS 1 and 2 only
    /// 00                              (5.0 only) property length 0
    /// payload                         [0,8) send timestamp, [8,16) publisher index and sequence
    /// </code>
    /// The payload is last, so it starts <paramref name="payloadSize"/> bytes before the end.
    /// </summary>
    public static PublishTemplate Publish(string topic, int qos, int payloadSize, MqttVersion version)
    {
        var body = new ArrayBufferWriter<byte>();
        WriteString(body, topic);
        var packetIdInBody = -1;
        if (qos > 0)
        {
            packetIdInBody = body.WrittenCount;
            WriteUInt16(body, 1);
        }

        if (version == MqttVersion.V500)
        {
            WriteByte(body, 0x00);
        }

        body.GetSpan(payloadSize)[..payloadSize].Clear();
        body.Advance(payloadSize);
        var bytes = Frame((byte)(0x30 | (qos << 1)), body.WrittenSpan);
        var bodyStart = bytes.Length - body.WrittenCount;
        return new PublishTemplate(bytes, bytes.Length - payloadSize, packetIdInBody < 0 ? -1 : bodyStart + packetIdInBody);
    }

    /// <summary>
    /// Writes an acknowledgement in its short form (§3.4-3.7; in 5.0 the reason code and
    /// properties may be left out when the reason is success): type byte, remaining length 2,
    /// packet id. <paramref name="firstByte"/> is 0x40 PUBACK, 0x50 PUBREC, 0x62 PUBREL (its
    /// reserved flags are 0010) or 0x70 PUBCOMP.
    /// </summary>
    public static void WriteAck(Span<byte> destination, byte firstByte, ushort packetId)
    {
        destination[0] = firstByte;
        destination[1] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], packetId);
    }

    private static byte[] Frame(byte firstByte, ReadOnlySpan<byte> body)
    {
        Span<byte> length = stackalloc byte[4];
        var n = 0;
        var x = body.Length;
        do
        {
            var b = (byte)(x & 0x7F);
            x >>= 7;
            length[n++] = x > 0 ? (byte)(b | 0x80) : b;
        }
        while (x > 0);

        var packet = new byte[1 + n + body.Length];
        packet[0] = firstByte;
        length[..n].CopyTo(packet.AsSpan(1));
        body.CopyTo(packet.AsSpan(1 + n));
        return packet;
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUInt16(writer, (ushort)length);
        Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(length);
    }
}
