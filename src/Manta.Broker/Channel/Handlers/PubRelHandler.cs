using Manta.Broker.Connections;
using Manta.Protocol;

namespace Manta.Broker.Channel.Handlers;

/// <summary>PUBREL (section 3.6): forget the inbound QoS 2 packet id and answer PUBCOMP (MQTT-4.3.3-11).</summary>
internal static class PubRelHandler
{
    public static void Handle(MqttChannel channel, ushort packetId)
    {
        Persistence.StoreJournal.BeginTracking();
        var known = channel.Session!.CompleteInboundQos2(packetId);
        var code = known || channel.Version != MqttProtocolVersion.V500 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;

        // Once PUBCOMP is out the client may reuse the id: its release must be durable first.
        channel.Acknowledge(OutboundItem.ForAck(OutboundKind.PubComp, packetId, code), Persistence.StoreJournal.TakeWritten());
    }
}
