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
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxPacketSize, out MqttFrame frame)
        => throw new NotImplementedException();
}
