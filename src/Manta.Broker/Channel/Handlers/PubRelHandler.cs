using Manta.Broker.Connections;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Channel.Handlers;

/// <summary>PUBREL (section 3.6): forget the inbound QoS 2 packet id and answer PUBCOMP (MQTT-4.3.3-11).</summary>
internal static class PubRelHandler
{
    public static void Handle(MqttChannel channel, PubRelPacket packet)
    {
        var known = channel.Session!.CompleteInboundQos2(packet.PacketId);
        var code = known || channel.Version != MqttProtocolVersion.V500 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;
        channel.Outbox.TryEnqueue(OutboundItem.ForAck(OutboundKind.PubComp, packet.PacketId, code));
    }
}
