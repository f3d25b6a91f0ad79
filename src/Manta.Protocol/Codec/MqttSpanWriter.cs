using System.Buffers.Binary;
using System.Text;

namespace Manta.Protocol.Codec;

/// <summary>
/// Writes packet fields into a span, or only counts them: the encoder runs the same code once
/// to measure and once to write, so the size it reserves can never disagree with what it writes.
/// </summary>
internal ref struct MqttSpanWriter
{
    private readonly Span<byte> _span;
    private readonly bool _measureOnly;
    private int _position;

    public MqttSpanWriter(Span<byte> span)
    {
        _span = span;
        _measureOnly = false;
        _position = 0;
    }

    private MqttSpanWriter(bool measureOnly)
    {
        _span = default;
        _measureOnly = measureOnly;
        _position = 0;
    }

    public static MqttSpanWriter Measure() => new(measureOnly: true);

    public readonly int Position => _position;

    public void WriteByte(byte value)
    {
        if (!_measureOnly)
        {
            _span[_position] = value;
        }

        _position++;
    }

    public void WriteUInt16(ushort value)
    {
        if (!_measureOnly)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_span.Slice(_position), value);
        }

        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        if (!_measureOnly)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_span.Slice(_position), value);
        }

        _position += 4;
    }

    public void WriteVariableByteInteger(int value)
    {
        _position += _measureOnly
            ? MqttWire.GetVariableByteIntegerSize(value)
            : MqttWire.WriteVariableByteInteger(_span.Slice(_position), value);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        if (!_measureOnly)
        {
            value.CopyTo(_span.Slice(_position));
        }

        _position += value.Length;
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        if (value.Length > MqttWire.MaxStringLength)
        {
            throw new ArgumentException("Binary data longer than 65535 bytes cannot be encoded.", nameof(value));
        }

        WriteUInt16((ushort)value.Length);
        WriteBytes(value);
    }

    public void WriteString(string value)
    {
        if (_measureOnly)
        {
            _position += 2 + MqttWire.GetStringByteCount(value);
            return;
        }

        var count = MqttWire.GetStringByteCount(value);
        WriteUInt16((ushort)count);
        _position += Encoding.UTF8.GetBytes(value, _span.Slice(_position));
    }
}
