using Manta.Broker.Diagnostics;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Channel;

/// <summary>
/// The one place that turns a protocol violation into what the client is told. v5: a CONNACK with
/// the reason code when CONNECT failed, else DISCONNECT with it (MQTT-4.13.1-1); 3.x: the
/// connection is closed, except that an unsupported protocol level gets CONNACK 0x01
/// (MQTT-3.1.2-2). The other connections are not affected.
/// </summary>
internal static class ProtocolErrorResponder
{
    public static void Respond(MqttChannel channel, ReasonCode code, string detail)
    {
        if (channel.State == ChannelState.Closed)
        {
            return;
        }

        var broker = channel.Broker;
        broker.Metrics.ProtocolError();
        BrokerLog.ProtocolViolation(broker.Logger, channel.ClientId.Length == 0 ? "(not connected)" : channel.ClientId, channel.Connection.RemoteEndPoint, code, detail);

        if (channel.State is ChannelState.AwaitingConnect or ChannelState.Authenticating)
        {
            if (code == ReasonCode.UnsupportedProtocolVersion)
            {
                // The client's level is unknown to us, so answer in the 3.1.1 form every client of any level can read.
                var connAck = new ConnAckPacket { ReasonCode = ReasonCode.UnsupportedProtocolVersion };
                channel.Version = MqttProtocolVersion.V311;
                channel.Send(connAck);
            }
            else if (channel.Version == MqttProtocolVersion.V500 && code >= ReasonCode.UnspecifiedError)
            {
                channel.Send(new ConnAckPacket { ReasonCode = code, Properties = new MqttProperties { ReasonString = detail } });
            }

            channel.Close($"protocol violation before CONNACK: {detail}");
            return;
        }

        channel.DisconnectWith(code, $"protocol violation: {detail}");
    }
}
