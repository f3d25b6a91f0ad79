using System.Buffers.Binary;
using Manta.Protocol.Properties;

namespace Manta.Protocol.Codec;

/// <summary>Reads and validates a PUBLISH in place, without allocating (the broker's hot path).</summary>
public static class PublishDecoder
{
    /// <summary>
    /// Reads the PUBLISH whose body is <paramref name="body"/> and whose fixed-header flags are
    /// <paramref name="flags"/>. Validates: QoS 3 (0x81), DUP set on QoS 0 (0x81), packet id 0 with
    /// QoS &gt; 0 (0x82), topic UTF-8 well-formed without U+0000 (0x81), wildcards in the topic
    /// (0x90), empty topic without alias (v5 0x82; 3.x 0x81), every property allowed in PUBLISH,
    /// not repeated where the spec forbids, in range (0x81/0x82), topic alias 0 (0x94),
    /// subscription identifier from a client (0x82).
    /// </summary>
    public static void Read(ReadOnlySpan<byte> body, byte flags, MqttProtocolVersion version, out PublishView view)
        => Read(body, flags, version, fromServer: false, out view);

    /// <summary>
    /// As <see cref="Read(ReadOnlySpan{byte}, byte, MqttProtocolVersion, out PublishView)"/>;
    /// <paramref name="fromServer"/> accepts subscription identifiers (any number), which only a
    /// server may send (MQTT-3.3.4-6). The bytes stay at PropertiesOffset for the caller to materialise.
    /// </summary>
    /// <remarks>
    /// PUBLISH layout (section 3.3):
    /// <code>
    /// fixed header flags : DUP (bit 3) | QoS (bits 2-1) | RETAIN (bit 0)
    /// topic name         : u16 length + UTF-8
    /// packet identifier  : u16, only when QoS &gt; 0
    /// property length    : variable byte integer (v5 only)
    /// properties         : (v5 only)
    /// payload            : everything left, may be empty
    /// </code>
    /// </remarks>
    internal static void Read(ReadOnlySpan<byte> body, byte flags, MqttProtocolVersion version, bool fromServer, out PublishView view)
    {
        view = default;
        var qos = (flags >> 1) & 0x03;
        if (qos == 3)
        {
            MqttThrow.Malformed("PUBLISH with QoS 3 (MQTT-3.3.1-4).");
        }

        var dup = (flags & 0x08) != 0;
        if (dup && qos == 0)
        {
            MqttThrow.Malformed("PUBLISH with DUP set on QoS 0 (MQTT-3.3.1-2).");
        }

        view.QoS = (QualityOfService)qos;
        view.Dup = dup;
        view.Retain = (flags & 0x01) != 0;

        if (body.Length < 2)
        {
            MqttThrow.Malformed("PUBLISH ends before its topic name.");
        }

        var topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
        var position = 2;
        if (topicLength > body.Length - position)
        {
            MqttThrow.Malformed("PUBLISH topic name runs past the end of the packet.");
        }

        var topic = body.Slice(position, topicLength);
        // One vectorised scan finds the common case (no NUL, no wildcard); malformed wins over
        // a wildcard so a broken string is never reported as a bad topic.
        var special = topic.IndexOfAny((byte)0, (byte)'+', (byte)'#');
        if ((special >= 0 && topic.Slice(special).IndexOf((byte)0) >= 0) || !System.Text.Unicode.Utf8.IsValid(topic))
        {
            MqttThrow.Malformed("PUBLISH topic name is not well-formed UTF-8 or contains U+0000 (MQTT-1.5.4-1, MQTT-1.5.4-2).");
        }

        if (special >= 0)
        {
            MqttThrow.Error(ReasonCode.TopicNameInvalid, "PUBLISH topic name contains a wildcard (MQTT-3.3.2-2).");
        }

        view.TopicOffset = position;
        view.TopicLength = topicLength;
        position += topicLength;

        if (qos > 0)
        {
            if (body.Length - position < 2)
            {
                MqttThrow.Malformed("PUBLISH ends before its packet identifier.");
            }

            view.PacketId = BinaryPrimitives.ReadUInt16BigEndian(body.Slice(position));
            position += 2;
            if (view.PacketId == 0)
            {
                MqttThrow.ProtocolError("PUBLISH with QoS > 0 has packet identifier 0 (MQTT-2.2.1-3).");
            }
        }

        if (version == MqttProtocolVersion.V500)
        {
            var propertiesLength = MqttWire.ReadVariableByteInteger(body, ref position);
            if (propertiesLength > body.Length - position)
            {
                MqttThrow.Malformed("PUBLISH properties run past the end of the packet.");
            }

            view.PropertiesOffset = position;
            view.PropertiesLength = propertiesLength;
            ReadProperties(body.Slice(position, propertiesLength), fromServer, ref view);
            position += propertiesLength;
        }
        else
        {
            view.PropertiesOffset = position;
        }

        view.PayloadOffset = position;
        view.PayloadLength = body.Length - position;

        if (topicLength == 0 && view.TopicAlias == 0)
        {
            if (version == MqttProtocolVersion.V500)
            {
                MqttThrow.ProtocolError("PUBLISH with an empty topic name and no topic alias (MQTT-3.3.2-1).");
            }

            MqttThrow.Malformed("PUBLISH with an empty topic name (MQTT-4.7.3-1).");
        }
    }

    private static void ReadProperties(ReadOnlySpan<byte> properties, bool fromServer, ref PublishView view)
    {
        var reader = new PropertyReader(properties, PropertyRules.Publish, repeatableSubscriptionIds: fromServer);
        while (reader.MoveNext())
        {
            switch (reader.Id)
            {
                case PropertyId.TopicAlias:
                    view.TopicAlias = (ushort)reader.Value;
                    view.PropertiesNeedFiltering = true;
                    break;
                case PropertyId.MessageExpiryInterval:
                    view.HasMessageExpiry = true;
                    view.MessageExpiryInterval = reader.Value;
                    view.PropertiesNeedFiltering = true;
                    break;
                case PropertyId.SubscriptionIdentifier:
                    if (!fromServer)
                    {
                        MqttThrow.ProtocolError("PUBLISH from a client carries a Subscription Identifier (MQTT-3.3.4-6).");
                    }

                    view.PropertiesNeedFiltering = true;
                    break;
                case PropertyId.PayloadFormatIndicator:
                    view.PayloadFormatIndicator = (byte)reader.Value;
                    view.HasForwardableProperties = true;
                    break;
                default:
                    view.HasForwardableProperties = true;
                    break;
            }
        }
    }

    /// <summary>
    /// Copies the properties of a PUBLISH (the raw bytes at PropertiesOffset, PropertiesLength)
    /// except topic alias and message expiry into <paramref name="destination"/>; returns the
    /// number of bytes written (at most the source length).
    /// </summary>
    /// <remarks>Subscription identifiers are dropped as well: they belong to one subscriber.</remarks>
    public static int CopyForwardableProperties(ReadOnlySpan<byte> properties, Span<byte> destination)
    {
        var written = 0;
        while (!properties.IsEmpty)
        {
            var length = PropertyCodec.GetEntryLength(properties);
            if (!PropertyRules.IsAllowed(PropertyRules.NotForwarded, properties[0]))
            {
                properties.Slice(0, length).CopyTo(destination.Slice(written));
                written += length;
            }

            properties = properties.Slice(length);
        }

        return written;
    }
}
