using System.Buffers;

namespace Manta.Protocol.Codec;

/// <summary>Cuts control packets out of a byte stream by their fixed header (section 2.1).</summary>
public static class MqttFrameReader
{
    /// <summary>
    /// Reads one frame. Returns false, leaving <paramref name="buffer"/> unchanged, when the input
    /// does not yet hold a whole packet. On success, <paramref name="buffer"/> is advanced past the
    /// packet. Throws <see cref="MqttProtocolException"/> as soon as the fixed header is readable
    /// and wrong: a remaining length longer than 4 bytes (0x81), or a packet larger than
    /// <paramref name="maxPacketSize"/> (0x95) - before the body is buffered.
    /// </summary>
    /// <remarks>
    /// Fixed header (section 2.1.1):
    /// <code>
    /// byte 1    : packet type (bits 7-4) | flags (bits 3-0)
    /// byte 2..5 : remaining length, variable byte integer, 1 to 4 bytes
    /// </code>
    /// The packet type is passed on unchecked, reserved type 0 included: the decoder owns that rule.
    /// </remarks>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxPacketSize, out MqttFrame frame)
    {
        // At most 5 header bytes matter; copying them out of a split sequence is cheaper than
        // walking segments byte by byte.
        var first = buffer.FirstSpan;
        if (first.Length >= 5 || buffer.Length == first.Length)
        {
            return TryReadHeaderAndSlice(ref buffer, first, maxPacketSize, out frame);
        }

        Span<byte> copy = stackalloc byte[5];
        var available = (int)Math.Min(5, buffer.Length);
        buffer.Slice(0, available).CopyTo(copy);
        return TryReadHeaderAndSlice(ref buffer, copy.Slice(0, available), maxPacketSize, out frame);
    }

    private static bool TryReadHeaderAndSlice(ref ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> header, int maxPacketSize, out MqttFrame frame)
    {
        frame = default;
        if (header.IsEmpty)
        {
            return false;
        }

        var remainingLength = 0;
        var headerLength = 0;
        for (var i = 1; ; i++)
        {
            if (i >= header.Length)
            {
                return false;
            }

            var b = header[i];
            remainingLength |= (b & 0x7F) << (7 * (i - 1));
            if ((b & 0x80) == 0)
            {
                headerLength = i + 1;
                break;
            }

            if (i == 4)
            {
                MqttThrow.Malformed("Remaining length is longer than 4 bytes.");
            }
        }

        // At most 5 + 268,435,455, so it fits an int.
        var totalSize = headerLength + remainingLength;
        if (totalSize > maxPacketSize)
        {
            MqttThrow.Error(ReasonCode.PacketTooLarge, $"Packet of {totalSize} bytes exceeds the maximum packet size of {maxPacketSize}.");
        }

        if (buffer.Length < totalSize)
        {
            return false;
        }

        var first = header[0];
        frame = new MqttFrame((MqttPacketType)(first >> 4), (byte)(first & 0x0F), buffer.Slice(headerLength, remainingLength), totalSize);
        buffer = buffer.Slice(totalSize);
        return true;
    }
}
