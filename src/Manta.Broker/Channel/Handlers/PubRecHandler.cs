using Manta.Broker.Connections;
using Manta.Protocol;

namespace Manta.Broker.Channel.Handlers;

/// <summary>PUBREC (section 3.5): the client has the QoS 2 message; answer PUBREL (MQTT-4.3.3-4), or end the flow on a v5 failure code.</summary>
internal static class PubRecHandler
{
    public static void Handle(MqttChannel channel, ushort packetId, ReasonCode reasonCode)
    {
        var failed = reasonCode >= ReasonCode.UnspecifiedError;
        Persistence.StoreJournal.BeginTracking();
        var known = channel.Session!.OnPubRec(packetId, failed);
        var released = Persistence.StoreJournal.TakeWritten();
        if (failed)
        {
            return;
        }

        var code = known || channel.Version != MqttProtocolVersion.V500 ? ReasonCode.Success : ReasonCode.PacketIdentifierNotFound;

        // After PUBREL the client forgets the id: that the message was received must be durable
        // first, or a crash would resend the PUBLISH and the client would take it as new.
        channel.Acknowledge(OutboundItem.ForAck(OutboundKind.PubRel, packetId, code), released);
    }
}
