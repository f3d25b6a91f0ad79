using System.Text;
using System.Text.Unicode;

namespace Manta.Protocol.Codec;

/// <summary>Variable byte integers (section 1.5.5) and the MQTT UTF-8 string rules (section 1.5.4).</summary>
internal static class MqttWire
{
    /// <summary>The largest value four bytes of 7 bits can carry; also the largest remaining length.</summary>
    public const int MaxVariableByteInteger = 268_435_455;

    /// <summary>Longest MQTT UTF-8 string or binary data: its length prefix is two bytes.</summary>
    public const int MaxStringLength = 65_535;

    public static int GetVariableByteIntegerSize(int value) => value switch
    {
        < 0 => throw new ArgumentOutOfRangeException(nameof(value)),
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        <= MaxVariableByteInteger => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Larger than a variable byte integer can carry."),
    };

    /// <summary>Writes <paramref name="value"/> with the fewest bytes (MQTT-1.5.5-1); returns the count.</summary>
    public static int WriteVariableByteInteger(Span<byte> destination, int value)
    {
        if ((uint)value > MaxVariableByteInteger)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Larger than a variable byte integer can carry.");
        }

        var i = 0;
        do
        {
            var digit = (byte)(value & 0x7F);
            value >>= 7;
            if (value > 0)
            {
                digit |= 0x80;
            }

            destination[i++] = digit;
        }
        while (value > 0);
        return i;
    }

    /// <summary>
    /// Reads a variable byte integer at <paramref name="position"/> of a complete packet body, so
    /// running out of bytes is malformed rather than "need more". Non-minimal encodings are
    /// accepted: the rule binds senders, and rejecting them protects nothing.
    /// </summary>
    public static int ReadVariableByteInteger(ReadOnlySpan<byte> source, ref int position)
    {
        var value = 0;
        for (var i = 0; i < 4; i++)
        {
            if ((uint)position >= (uint)source.Length)
            {
                MqttThrow.Malformed("Variable byte integer runs past the end of the packet.");
            }

            var b = source[position++];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return MqttThrow.Malformed<int>("Variable byte integer longer than 4 bytes.");
    }

    /// <summary>
    /// The well-formedness rules of an MQTT UTF-8 string: valid UTF-8 (which excludes encoded
    /// surrogates, MQTT-1.5.4-1) and no U+0000 (MQTT-1.5.4-2).
    /// </summary>
    public static bool IsWellFormedString(ReadOnlySpan<byte> utf8)
        => utf8.IndexOf((byte)0) < 0 && Utf8.IsValid(utf8);

    public static void ValidateString(ReadOnlySpan<byte> utf8)
    {
        if (!IsWellFormedString(utf8))
        {
            MqttThrow.Malformed("UTF-8 string is not well-formed or contains U+0000.");
        }
    }

    /// <summary>Byte count of <paramref name="value"/> as an MQTT string; throws when the two-byte prefix cannot hold it.</summary>
    public static int GetStringByteCount(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        if (count > MaxStringLength)
        {
            throw new ArgumentException("String longer than 65535 UTF-8 bytes cannot be encoded.", nameof(value));
        }

        return count;
    }
}
