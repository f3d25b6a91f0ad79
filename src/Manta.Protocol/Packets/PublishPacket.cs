using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>PUBLISH (section 3.3), fully materialised; the broker's hot path uses <see cref="Codec.PublishView"/> instead.</summary>
public sealed class PublishPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Publish;

    /// <summary>May be empty in v5 when a topic alias is given.</summary>
    public string Topic { get; set; } = string.Empty;

    public ReadOnlyMemory<byte> Payload { get; set; }

    public QualityOfService QoS { get; set; }

    public bool Retain { get; set; }

    public bool Dup { get; set; }

    /// <summary>Non-zero when QoS &gt; 0.</summary>
    public ushort PacketId { get; set; }

    public MqttProperties? Properties { get; set; }
}
