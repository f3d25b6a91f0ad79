using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>SUBSCRIBE (section 3.8).</summary>
public sealed class SubscribePacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Subscribe;

    public ushort PacketId { get; set; }

    public List<TopicSubscription> Subscriptions { get; set; } = [];

    /// <summary>Subscription identifier (at most one) and user properties.</summary>
    public MqttProperties? Properties { get; set; }
}
