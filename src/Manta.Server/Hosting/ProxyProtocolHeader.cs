using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Manta.Server.Hosting;

/// <summary>
/// Parses the PROXY protocol header (HAProxy's, versions 1 and 2) that a load balancer puts in
/// front of a connection to say who the real client is.
/// </summary>
internal static class ProxyProtocolHeader
{
    /// <summary>Version 1 lines are at most 107 bytes ("PROXY TCP6 " + two addresses + two ports + CRLF).</summary>
    public const int MaximumV1Length = 107;

    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Reads a header from the start of <paramref name="buffer"/>. Returns false when more bytes
    /// are needed; throws <see cref="InvalidDataException"/> when the bytes are not a PROXY
    /// header. <paramref name="source"/> is null for v1 "UNKNOWN" and v2 "LOCAL" (health checks
    /// of the balancer itself): the connection's own address stands.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out IPEndPoint? source)
    {
        source = null;
        if (buffer.Length < 1)
        {
            return false;
        }

        var first = buffer.FirstSpan[0];
        if (first == (byte)'P')
        {
            return TryReadV1(ref buffer, out source);
        }

        if (first == V2Signature[0])
        {
            return TryReadV2(ref buffer, out source);
        }

        throw new InvalidDataException("connection does not start with a PROXY protocol header");
    }

    // "PROXY TCP4 198.51.100.22 203.0.113.7 35646 1883\r\n", or "PROXY UNKNOWN ...\r\n"
    private static bool TryReadV1(ref ReadOnlySequence<byte> buffer, out IPEndPoint? source)
    {
        source = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            if (buffer.Length > MaximumV1Length)
            {
                throw new InvalidDataException("PROXY v1 header longer than 107 bytes");
            }

            return false;
        }

        var text = Encoding.ASCII.GetString(line);
        var parts = text.Split(' ');
        if (parts.Length < 2 || parts[0] != "PROXY")
        {
            throw new InvalidDataException("malformed PROXY v1 header");
        }

        if (parts[1] != "UNKNOWN")
        {
            if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6")
                || !IPAddress.TryParse(parts[2], out var address)
                || !ushort.TryParse(parts[4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
            {
                throw new InvalidDataException($"malformed PROXY v1 header '{text}'");
            }

            source = new IPEndPoint(address, port);
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    // 12-byte signature, version/command, family/protocol, 2-byte length, addresses, TLVs.
    private static bool TryReadV2(ref ReadOnlySequence<byte> buffer, out IPEndPoint? source)
    {
        source = null;
        if (buffer.Length < 16)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[16];
        buffer.Slice(0, 16).CopyTo(head);
        if (!head[..12].SequenceEqual(V2Signature) || (head[12] >> 4) != 2)
        {
            throw new InvalidDataException("malformed PROXY v2 header");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (buffer.Length < 16 + length)
        {
            return false;
        }

        var command = head[12] & 0x0F;
        var family = head[13] >> 4;
        var body = buffer.Slice(16, length);
        if (command == 1)
        {
            source = family switch
            {
                1 when length >= 12 => Endpoint(body, 4),
                2 when length >= 36 => Endpoint(body, 16),
                _ => null,
            };
        }

        buffer = buffer.Slice(16 + length);
        return true;
    }

    private static IPEndPoint Endpoint(ReadOnlySequence<byte> body, int addressLength)
    {
        Span<byte> bytes = stackalloc byte[36];
        var needed = (addressLength * 2) + 4;
        body.Slice(0, needed).CopyTo(bytes);
        var address = new IPAddress(bytes[..addressLength]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(bytes[(addressLength * 2)..]);
        return new IPEndPoint(address, port);
    }
}
