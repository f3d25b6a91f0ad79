using System.Buffers;

namespace Manta.Protocol.Codec;

/// <summary>
/// One control packet cut out of the input: its fixed header and a view of its body. The body is
/// a slice of the reader's input and is valid only until the reader's next <c>AdvanceTo</c>.
/// </summary>
public readonly struct MqttFrame
{
    /// <summary>Creates a frame.</summary>
    public MqttFrame(MqttPacketType type, byte flags, ReadOnlySequence<byte> body, int totalSize)
    {
        Type = type;
        Flags = flags;
        Body = body;
        TotalSize = totalSize;
    }

    /// <summary>The packet type (upper nibble of byte 1).</summary>
    public MqttPacketType Type { get; }

    /// <summary>The flags (lower nibble of byte 1).</summary>
    public byte Flags { get; }

    /// <summary>Variable header and payload (the "remaining length" bytes).</summary>
    public ReadOnlySequence<byte> Body { get; }

    /// <summary>Fixed header plus body, in bytes: what "packet size" means in MQTT 5.</summary>
    public int TotalSize { get; }
}
