namespace Manta.Broker.Channel.Handlers;

/// <summary>PUBACK (section 3.4): ends a QoS 1 delivery and frees its window slot. Unknown ids are ignored.</summary>
internal static class PubAckHandler
{
    public static void Handle(MqttChannel channel, ushort packetId) => channel.Session!.OnPubAck(packetId);
}
