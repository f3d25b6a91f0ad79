using System.Buffers;
using System.Buffers.Binary;
using Manta.Protocol.Properties;

namespace Manta.Protocol.Codec;

/// <summary>Writes a PUBLISH from its parts without allocating (the broker's fan-out path).</summary>
public static class PublishEncoder
{
    /// <summary>
    /// The total encoded size (fixed header included) of a PUBLISH with these parts; used to
    /// respect a client's Maximum Packet Size before writing.
    /// </summary>
    public static int GetSize(
        MqttProtocolVersion version,
        int topicLength,
        QualityOfService qos,
        int payloadLength,
        int forwardedPropertiesLength,
        bool hasMessageExpiry,
        uint messageExpiryInterval,
        ReadOnlySpan<uint> subscriptionIdentifiers,
        ushort topicAlias)
    {
        var remaining = GetRemainingLength(version, topicLength, qos, payloadLength, forwardedPropertiesLength, hasMessageExpiry, subscriptionIdentifiers, topicAlias, out _);
        return 1 + MqttWire.GetVariableByteIntegerSize(remaining) + remaining;
    }

    /// <summary>
    /// Writes a PUBLISH. <paramref name="forwardedProperties"/> are raw property bytes written as
    /// they are (ignored for 3.x); message expiry (when <paramref name="hasMessageExpiry"/>),
    /// subscription identifiers and a non-zero topic alias are appended as properties (v5 only).
    /// Returns the bytes written.
    /// </summary>
    /// <remarks>
    /// Layout written:
    /// <code>
    /// 0x30 | DUP &lt;&lt; 3 | QoS &lt;&lt; 1 | RETAIN, remaining length (VBI)
    /// topic (u16 + bytes), packet id (u16, QoS &gt; 0)
    /// v5: property length (VBI), forwarded properties, [0x02 u32], [0x0B VBI]*, [0x23 u16]
    /// payload
    /// </code>
    /// </remarks>
    public static int Write(
        IBufferWriter<byte> output,
        MqttProtocolVersion version,
        ReadOnlySpan<byte> topicUtf8,
        QualityOfService qos,
        bool retain,
        bool dup,
        ushort packetId,
        ReadOnlySpan<byte> payload,
        ReadOnlySpan<byte> forwardedProperties,
        bool hasMessageExpiry,
        uint messageExpiryInterval,
        ReadOnlySpan<uint> subscriptionIdentifiers,
        ushort topicAlias)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (topicUtf8.Length > MqttWire.MaxStringLength)
        {
            throw new ArgumentException("Topic longer than 65535 bytes.", nameof(topicUtf8));
        }

        var remaining = GetRemainingLength(version, topicUtf8.Length, qos, payload.Length, forwardedProperties.Length, hasMessageExpiry, subscriptionIdentifiers, topicAlias, out var propertiesLength);
        var total = 1 + MqttWire.GetVariableByteIntegerSize(remaining) + remaining;
        var span = output.GetSpan(total);

        span[0] = (byte)(0x30 | (dup ? 0x08 : 0) | ((int)qos << 1) | (retain ? 0x01 : 0));
        var position = 1 + MqttWire.WriteVariableByteInteger(span.Slice(1), remaining);
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(position), (ushort)topicUtf8.Length);
        position += 2;
        topicUtf8.CopyTo(span.Slice(position));
        position += topicUtf8.Length;
        if (qos != QualityOfService.AtMostOnce)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(position), packetId);
            position += 2;
        }

        if (version == MqttProtocolVersion.V500)
        {
            position += MqttWire.WriteVariableByteInteger(span.Slice(position), propertiesLength);
            forwardedProperties.CopyTo(span.Slice(position));
            position += forwardedProperties.Length;
            if (hasMessageExpiry)
            {
                span[position] = (byte)PropertyId.MessageExpiryInterval;
                BinaryPrimitives.WriteUInt32BigEndian(span.Slice(position + 1), messageExpiryInterval);
                position += 5;
            }

            foreach (var id in subscriptionIdentifiers)
            {
                span[position] = (byte)PropertyId.SubscriptionIdentifier;
                position += 1 + MqttWire.WriteVariableByteInteger(span.Slice(position + 1), (int)id);
            }

            if (topicAlias != 0)
            {
                span[position] = (byte)PropertyId.TopicAlias;
                BinaryPrimitives.WriteUInt16BigEndian(span.Slice(position + 1), topicAlias);
                position += 3;
            }
        }

        payload.CopyTo(span.Slice(position));
        output.Advance(total);
        return total;
    }

    private static int GetRemainingLength(
        MqttProtocolVersion version,
        int topicLength,
        QualityOfService qos,
        int payloadLength,
        int forwardedPropertiesLength,
        bool hasMessageExpiry,
        ReadOnlySpan<uint> subscriptionIdentifiers,
        ushort topicAlias,
        out int propertiesLength)
    {
        var remaining = 2 + topicLength + (qos == QualityOfService.AtMostOnce ? 0 : 2) + payloadLength;
        propertiesLength = 0;
        if (version == MqttProtocolVersion.V500)
        {
            propertiesLength = forwardedPropertiesLength + (hasMessageExpiry ? 5 : 0) + (topicAlias != 0 ? 3 : 0);
            foreach (var id in subscriptionIdentifiers)
            {
                if (id is 0 or > MqttWire.MaxVariableByteInteger)
                {
                    throw new ArgumentOutOfRangeException(nameof(subscriptionIdentifiers), id, "A subscription identifier is 1 to 268,435,455.");
                }

                propertiesLength += 1 + MqttWire.GetVariableByteIntegerSize((int)id);
            }

            remaining += MqttWire.GetVariableByteIntegerSize(propertiesLength) + propertiesLength;
        }

        // Validates the total against the remaining length limit.
        MqttWire.GetVariableByteIntegerSize(remaining);
        return remaining;
    }
}
