namespace Manta.Broker.Channel.Handlers;

/// <summary>PUBCOMP (section 3.7): ends a QoS 2 delivery; its packet id may be reused.</summary>
internal static class PubCompHandler
{
    public static void Handle(MqttChannel channel, ushort packetId) => channel.Session!.OnPubComp(packetId);
}
