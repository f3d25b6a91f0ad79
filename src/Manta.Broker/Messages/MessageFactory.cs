using System.Buffers;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Broker.Messages;

/// <summary>Builds <see cref="MqttMessage"/>s from received PUBLISH bodies and from packet objects (wills, API).</summary>
public sealed class MessageFactory
{
    // Property blocks up to this size are filtered on the stack.
    private const int StackScratch = 512;

    private readonly MessagePool _pool;
    private readonly BrokerClock _clock;

    /// <summary>Creates a factory.</summary>
    public MessageFactory(MessagePool pool, BrokerClock clock)
    {
        _pool = pool;
        _clock = clock;
    }

    /// <summary>
    /// Copies a PUBLISH body once into a pooled buffer and parses it there, so topic, properties
    /// and payload are views into that one buffer. Throws <see cref="MqttProtocolException"/> for
    /// a malformed PUBLISH (nothing leaks).
    /// </summary>
    public MqttMessage FromPublishBody(in ReadOnlySequence<byte> body, byte flags, MqttProtocolVersion version, out PublishView view)
    {
        var length = (int)body.Length;
        var message = _pool.Rent();
        var buffer = message.Initialize(length);
        try
        {
            body.CopyTo(buffer);
            message.ReceivedAt = _clock.Now;
            PublishDecoder.Read(buffer.AsSpan(0, length), flags, version, out view);
            Describe(message, buffer, in view);
        }
        catch
        {
            message.Release();
            throw;
        }

        return message;
    }

    /// <summary>Builds a message from a packet object (a will, a message injected by the API or a test).</summary>
    public MqttMessage FromPacket(PublishPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>(packet.Payload.Length + packet.Topic.Length + 64);

        // A packet id only makes the encoding valid; it is not part of the message.
        var encodable = packet.QoS == QualityOfService.AtMostOnce || packet.PacketId != 0
            ? packet
            : new PublishPacket
            {
                Topic = packet.Topic,
                Payload = packet.Payload,
                QoS = packet.QoS,
                Retain = packet.Retain,
                PacketId = 1,
                Properties = packet.Properties,
            };
        MqttPacketEncoder.Encode(encodable, MqttProtocolVersion.V500, writer);

        var sequence = new ReadOnlySequence<byte>(writer.WrittenMemory);
        if (!MqttFrameReader.TryRead(ref sequence, int.MaxValue, out var frame))
        {
            throw new InvalidOperationException("Encoded PUBLISH could not be framed.");
        }

        var message = FromPublishBody(frame.Body, frame.Flags, MqttProtocolVersion.V500, out _);
        message.SetTopic(packet.Topic);
        return message;
    }

    /// <summary>Rebuilds a stored message (start-up); <paramref name="expiresAt"/> is a broker timestamp, or null for none.</summary>
    public MqttMessage FromStored(string topic, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> properties, QualityOfService qos, bool retain, long? expiresAt)
    {
        var topicLength = System.Text.Encoding.UTF8.GetByteCount(topic);
        var message = _pool.Rent();
        var buffer = message.Initialize(topicLength + properties.Length + payload.Length);
        System.Text.Encoding.UTF8.GetBytes(topic, buffer);
        properties.CopyTo(buffer.AsSpan(topicLength));
        payload.CopyTo(buffer.AsSpan(topicLength + properties.Length));
        message.TopicOffset = 0;
        message.TopicLength = topicLength;
        message.PropertiesOffset = topicLength;
        message.PropertiesLength = properties.Length;
        message.PayloadOffset = topicLength + properties.Length;
        message.PayloadLength = payload.Length;
        message.QoS = qos;
        message.Retain = retain;
        message.HasExpiry = expiresAt.HasValue;
        message.ExpiresAt = expiresAt ?? 0;
        message.ReceivedAt = _clock.Now;
        message.SetTopic(topic);
        return message;
    }

    /// <summary>
    /// A copy of <paramref name="source"/> with one more user property, for the retain-as-property
    /// policy. Not on the hot path of the standard policy.
    /// </summary>
    public MqttMessage WithUserProperty(MqttMessage source, string name, string value, bool retain)
        => Compose(source, source.TopicUtf8, PropertyBytes.UserProperty(name, value), retain);

    /// <summary>A copy of <paramref name="source"/> under topic <paramref name="topicUtf8"/> (a PUBLISH that used a topic alias).</summary>
    public MqttMessage WithTopic(MqttMessage source, ReadOnlySpan<byte> topicUtf8)
        => Compose(source, topicUtf8, [], source.Retain);

    private MqttMessage Compose(MqttMessage source, ReadOnlySpan<byte> topicUtf8, ReadOnlySpan<byte> extraProperties, bool retain)
    {
        var properties = source.ForwardedProperties;
        var total = topicUtf8.Length + properties.Length + extraProperties.Length + source.PayloadLength;
        var message = _pool.Rent();
        var buffer = message.Initialize(total);
        var at = 0;
        topicUtf8.CopyTo(buffer.AsSpan(at));
        at += topicUtf8.Length;
        properties.CopyTo(buffer.AsSpan(at));
        at += properties.Length;
        extraProperties.CopyTo(buffer.AsSpan(at));
        at += extraProperties.Length;
        source.Payload.CopyTo(buffer.AsSpan(at));

        message.TopicOffset = 0;
        message.TopicLength = topicUtf8.Length;
        message.PropertiesOffset = topicUtf8.Length;
        message.PropertiesLength = properties.Length + extraProperties.Length;
        message.PayloadOffset = at;
        message.PayloadLength = source.PayloadLength;
        message.QoS = source.QoS;
        message.Retain = retain;
        message.HasExpiry = source.HasExpiry;
        message.ExpiresAt = source.ExpiresAt;
        message.Origin = source.Origin;
        message.ReceivedAt = source.ReceivedAt;
        return message;
    }

    private void Describe(MqttMessage message, byte[] buffer, in PublishView view)
    {
        message.QoS = view.QoS;
        message.Retain = view.Retain;
        message.TopicOffset = view.TopicOffset;
        message.TopicLength = view.TopicLength;
        message.PayloadOffset = view.PayloadOffset;
        message.PayloadLength = view.PayloadLength;
        message.PropertiesOffset = view.PropertiesOffset;
        if (view.PropertiesNeedFiltering)
        {
            // Topic alias and expiry are per hop: drop them, keeping the rest in place.
            var properties = buffer.AsSpan(view.PropertiesOffset, view.PropertiesLength);
            byte[]? rented = null;
            var scratch = properties.Length <= StackScratch ? stackalloc byte[StackScratch] : (rented = ArrayPool<byte>.Shared.Rent(properties.Length));
            var written = PublishDecoder.CopyForwardableProperties(properties, scratch);
            scratch[..written].CopyTo(properties);
            message.PropertiesLength = written;
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        else
        {
            message.PropertiesLength = view.HasForwardableProperties ? view.PropertiesLength : 0;
        }

        if (view.HasMessageExpiry)
        {
            message.HasExpiry = true;
            message.ExpiresAt = _clock.Now + _clock.SecondsToTicks(view.MessageExpiryInterval);
        }
    }
}
