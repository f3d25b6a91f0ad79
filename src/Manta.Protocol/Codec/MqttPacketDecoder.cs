using Manta.Protocol.Packets;

namespace Manta.Protocol.Codec;

/// <summary>
/// Decodes a frame into a packet object, validating everything the specification makes a
/// malformed packet or protocol error; throws <see cref="MqttProtocolException"/> with the
/// reason code to use.
/// </summary>
public static class MqttPacketDecoder
{
    /// <summary>
    /// Decodes <paramref name="frame"/> as a packet of <paramref name="version"/>. CONNECT carries
    /// its own version, so <paramref name="version"/> is ignored for it (it may be Unknown).
    /// </summary>
    public static MqttPacket Decode(in MqttFrame frame, MqttProtocolVersion version)
        => throw new NotImplementedException();
}
