using System.Buffers.Binary;
using System.Text;

namespace Manta.Protocol.Codec;

/// <summary>
/// Forward reader over one complete packet body. Every read checks bounds and throws 0x81, since
/// the frame is whole: a field running past its end is malformed, never "need more".
/// </summary>
internal ref struct MqttSpanReader
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public MqttSpanReader(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool End => _position >= _span.Length;

    public byte ReadByte()
    {
        if (_position >= _span.Length)
        {
            MqttThrow.Malformed("Packet ends before a one-byte field.");
        }

        return _span[_position++];
    }

    public ushort ReadUInt16()
    {
        if (Remaining < 2)
        {
            MqttThrow.Malformed("Packet ends before a two-byte field.");
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(_span.Slice(_position));
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        if (Remaining < 4)
        {
            MqttThrow.Malformed("Packet ends before a four-byte field.");
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(_span.Slice(_position));
        _position += 4;
        return value;
    }

    public int ReadVariableByteInteger() => MqttWire.ReadVariableByteInteger(_span, ref _position);

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if ((uint)count > (uint)Remaining)
        {
            MqttThrow.Malformed("Length runs past the end of the packet.");
        }

        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Two-byte length then that many bytes (binary data, section 1.5.6).</summary>
    public ReadOnlySpan<byte> ReadBinary() => ReadBytes(ReadUInt16());

    /// <summary>A length-prefixed string, validated but not decoded.</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        var bytes = ReadBinary();
        MqttWire.ValidateString(bytes);
        return bytes;
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadStringBytes());

    public byte[] ReadBinaryCopy() => ReadBinary().ToArray();

    public ReadOnlySpan<byte> ReadRest()
    {
        var rest = _span.Slice(_position);
        _position = _span.Length;
        return rest;
    }

    /// <summary>Trailing bytes after a packet's defined content make it malformed.</summary>
    public readonly void EnsureEnd(MqttPacketType packet)
    {
        if (_position != _span.Length)
        {
            MqttThrow.Malformed($"{packet} has bytes after its defined content.");
        }
    }
}
