using System.Buffers;
using Manta.Protocol.Packets;

namespace Manta.Protocol.Codec;

/// <summary>
/// Reads PUBACK, PUBREC, PUBREL and PUBCOMP for what a broker acts on (packet id, reason code)
/// without allocating: one of them answers every QoS 1/2 message. The common forms (3.x, and v5
/// without properties) are read here; anything else, including every malformed form, goes
/// through <see cref="MqttPacketDecoder"/>, so the checks and the errors are exactly its own.
/// </summary>
public static class PublishResponseDecoder
{
    /// <summary>Reads <paramref name="frame"/>, a PUBACK, PUBREC, PUBREL or PUBCOMP of <paramref name="version"/>.</summary>
    /// <exception cref="MqttProtocolException">As <see cref="MqttPacketDecoder"/> throws for the frame.</exception>
    public static (ushort PacketId, ReasonCode ReasonCode) Read(in MqttFrame frame, MqttProtocolVersion version)
    {
        var length = frame.Body.Length;
        var v5 = version == MqttProtocolVersion.V500;
        if ((length == 2 || (length == 3 && v5))
            && version is MqttProtocolVersion.V310 or MqttProtocolVersion.V311 or MqttProtocolVersion.V500
            && frame.Flags == (frame.Type == MqttPacketType.PubRel ? 0b0010 : 0))
        {
            Span<byte> body = stackalloc byte[3];
            frame.Body.CopyTo(body);
            var packetId = (ushort)((body[0] << 8) | body[1]);
            if (packetId != 0)
            {
                // 3.x has no reason code; v5 leaves it out for success (section 3.4.2.1).
                return (packetId, length == 3 ? (ReasonCode)body[2] : ReasonCode.Success);
            }
        }

        var packet = (PublishResponsePacket)MqttPacketDecoder.Decode(frame, version);
        return (packet.PacketId, packet.ReasonCode);
    }
}
