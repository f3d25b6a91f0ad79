using Manta.Protocol.Properties;

namespace Manta.Broker.Messages;

/// <summary>Turns will properties into the properties of the PUBLISH that carries the will (Will Delay Interval is not a PUBLISH property).</summary>
internal static class WillProperties
{
    public static MqttProperties ForPublish(MqttProperties will) => new()
    {
        PayloadFormatIndicator = will.PayloadFormatIndicator,
        MessageExpiryInterval = will.MessageExpiryInterval,
        ContentType = will.ContentType,
        ResponseTopic = will.ResponseTopic,
        CorrelationData = will.CorrelationData,
        UserProperties = will.UserProperties,
    };
}
