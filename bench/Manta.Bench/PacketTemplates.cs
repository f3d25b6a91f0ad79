using System.Buffers;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Bench;

/// <summary>
/// The packets the tool sends, encoded once with <see cref="MqttPacketEncoder"/> (MQTT 3.1.1).
/// The hot path copies these bytes and patches only the packet id and the timestamp.
/// </summary>
internal static class PacketTemplates
{
    /// <summary>Seconds of keep-alive announced in CONNECT: 0 turns it off, so a closed-loop run needs no PINGREQ traffic.</summary>
    private const ushort KeepAliveSeconds = 0;

    public static byte[] Connect(string clientId) => Encode(new ConnectPacket
    {
        ClientId = clientId,
        CleanStart = true,
        KeepAliveSeconds = KeepAliveSeconds,
    });

    public static byte[] Subscribe(string filter, int qos) => Encode(new SubscribePacket
    {
        PacketId = 1,
        Subscriptions = [new TopicSubscription { TopicFilter = filter, MaximumQoS = (QualityOfService)qos }],
    });

    /// <summary>
    /// One PUBLISH with a zeroed payload of <paramref name="payloadSize"/> bytes.
    /// Layout: header, remaining length, topic (2-byte length + UTF-8), packet id (2, QoS 1 only), payload.
    /// The payload is last, so it starts <paramref name="payloadSize"/> bytes before the end and the
    /// packet id, when present, sits just before it.
    /// </summary>
    public static PublishTemplate Publish(string topic, int qos, int payloadSize)
    {
        var bytes = Encode(new PublishPacket
        {
            Topic = topic,
            QoS = (QualityOfService)qos,
            PacketId = qos > 0 ? (ushort)1 : (ushort)0,
            Payload = new byte[payloadSize],
        });
        var payloadOffset = bytes.Length - payloadSize;
        return new PublishTemplate(bytes, payloadOffset, qos > 0 ? payloadOffset - 2 : -1);
    }

    private static byte[] Encode(MqttPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.Encode(packet, MqttProtocolVersion.V311, writer);
        return writer.WrittenSpan.ToArray();
    }
}
