using Manta.Broker.Messages;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Connections;

/// <summary>
/// One entry of a connection's outbound queue: a struct, so queueing an acknowledgement or a
/// delivery allocates nothing. A Publish entry owns one reference to its message.
/// </summary>
internal struct OutboundItem
{
    public OutboundKind Kind;
    public QualityOfService QoS;
    public bool Retain;
    public bool Dup;
    public ReasonCode Reason;
    public ushort PacketId;
    public MqttMessage? Message;
    public MqttPacket? Packet;
    public uint[]? SubscriptionIdentifiers;

    /// <summary>
    /// Store position that must be durable before this item may be written (0: none). Exactly
    /// once across a crash: a QoS 2 delivery to a stored session goes out only once its record
    /// (and packet id) is committed, a PUBREL only once the PUBREC that released it is.
    /// </summary>
    public long NotBefore;

    public static OutboundItem ForPacket(MqttPacket packet) => new() { Kind = OutboundKind.Packet, Packet = packet };

    public static OutboundItem ForAck(OutboundKind kind, ushort packetId, ReasonCode reason = ReasonCode.Success)
        => new() { Kind = kind, PacketId = packetId, Reason = reason };

    public static OutboundItem ForPublish(MqttMessage message, QualityOfService qos, bool retain, bool dup, ushort packetId, uint[]? subscriptionIdentifiers)
        => new()
        {
            Kind = OutboundKind.Publish,
            Message = message,
            QoS = qos,
            Retain = retain,
            Dup = dup,
            PacketId = packetId,
            SubscriptionIdentifiers = subscriptionIdentifiers,
        };
}
