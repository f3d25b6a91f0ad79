using Manta.Broker.Messages;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Storage.Sqlite.Tests.Support;

/// <summary>Builds broker messages the way the broker does (one pool per message, so no test sees another's recycled object).</summary>
internal static class Messages
{
    private static readonly BrokerClock Clock = new(TimeProvider.System);

    public static MqttMessage Create(string topic, byte[] payload, QualityOfService qos = QualityOfService.AtLeastOnce, bool retain = false, MqttProperties? properties = null)
        => new MessageFactory(new MessagePool(), Clock).FromPacket(new PublishPacket
        {
            Topic = topic,
            Payload = payload,
            QoS = qos,
            Retain = retain,
            Properties = properties,
        });

    /// <summary>The forwarded properties of a message built with <paramref name="properties"/>, as the store should keep them.</summary>
    public static byte[] ForwardedProperties(MqttProperties properties)
    {
        var message = Create("t", [], properties: properties);
        var bytes = message.ForwardedProperties.ToArray();
        message.Release();
        return bytes;
    }
}
