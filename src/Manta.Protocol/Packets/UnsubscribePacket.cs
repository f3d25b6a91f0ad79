using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>UNSUBSCRIBE (section 3.10).</summary>
public sealed class UnsubscribePacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;

    public ushort PacketId { get; set; }

    public List<string> TopicFilters { get; set; } = [];

    public MqttProperties? Properties { get; set; }
}
