using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// DISCONNECT from the client (section 3.14): 0x00 discards the will (MQTT-3.14.4-3), 0x04 and
/// the error codes keep it; v5 may change the session expiry, but not from 0 (MQTT-3.14.2-2).
/// </summary>
internal static class DisconnectHandler
{
    public static void Handle(MqttChannel channel, DisconnectPacket packet)
    {
        if (channel.Version == MqttProtocolVersion.V500)
        {
            if (packet.Properties?.SessionExpiryInterval is { } expiry)
            {
                if (channel.ConnectedExpiryInterval == 0 && expiry != 0)
                {
                    throw new MqttProtocolException(ReasonCode.ProtocolError, "DISCONNECT sets a session expiry after CONNECT set 0 (MQTT-3.14.2-2)");
                }

                channel.Broker.Sessions.SetExpiry(channel.Session!, expiry);
            }

            if (packet.ReasonCode == ReasonCode.NormalDisconnection)
            {
                channel.DiscardWill();
            }

            channel.Close(packet.ReasonCode == ReasonCode.NormalDisconnection
                ? "DISCONNECT"
                : $"DISCONNECT {packet.ReasonCode}");
            return;
        }

        channel.DiscardWill();
        channel.Close("DISCONNECT");
    }
}
