using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>The will message carried in CONNECT.</summary>
public sealed class WillMessage
{
    public string Topic { get; set; } = string.Empty;

    public byte[] Payload { get; set; } = [];

    public QualityOfService QoS { get; set; }

    public bool Retain { get; set; }

    /// <summary>Will properties (v5 only): delay, expiry, content type, response topic, ...</summary>
    public MqttProperties? Properties { get; set; }
}
