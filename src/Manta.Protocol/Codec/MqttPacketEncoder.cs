using System.Buffers;
using Manta.Protocol.Packets;

namespace Manta.Protocol.Codec;

/// <summary>Encodes packet objects for a protocol version into an <see cref="IBufferWriter{T}"/>.</summary>
public static class MqttPacketEncoder
{
    /// <summary>Writes <paramref name="packet"/> as <paramref name="version"/> encodes it; returns the bytes written.</summary>
    public static int Encode(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output)
        => throw new NotImplementedException();
}
