using System.Buffers;
using Manta.Broker.Timing;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;

namespace Manta.Broker.Messages;

/// <summary>Builds <see cref="MqttMessage"/>s from received PUBLISH bodies and from packet objects (wills, API).</summary>
public sealed class MessageFactory
{
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

        // Forwarded properties may need filtering (alias, expiry removed): room for them after the body.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length * 2, 16));
        try
        {
            body.CopyTo(buffer);
            PublishDecoder.Read(buffer.AsSpan(0, length), flags, version, out view);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var message = _pool.Rent();
        message.Initialize(buffer);
        Describe(message, buffer, length, in view);
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

    /// <summary>
    /// A copy of <paramref name="source"/> with one more user property, for the retain-as-property
    /// policy. Not on the hot path of the standard policy.
    /// </summary>
    public MqttMessage WithUserProperty(MqttMessage source, string name, string value, bool retain)
    {
        var extra = PropertyBytes.UserProperty(name, value);
        var props = source.ForwardedProperties;
        var total = source.TopicLength + props.Length + extra.Length + source.PayloadLength;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(total, 16));
        var at = 0;
        source.TopicUtf8.CopyTo(buffer.AsSpan(at));
        at += source.TopicLength;
        props.CopyTo(buffer.AsSpan(at));
        at += props.Length;
        extra.CopyTo(buffer.AsSpan(at));
        at += extra.Length;
        source.Payload.CopyTo(buffer.AsSpan(at));

        var message = _pool.Rent();
        message.Initialize(buffer);
        message.TopicOffset = 0;
        message.TopicLength = source.TopicLength;
        message.PropertiesOffset = source.TopicLength;
        message.PropertiesLength = props.Length + extra.Length;
        message.PayloadOffset = at;
        message.PayloadLength = source.PayloadLength;
        message.QoS = source.QoS;
        message.Retain = retain;
        message.HasExpiry = source.HasExpiry;
        message.ExpiresAt = source.ExpiresAt;
        message.Origin = source.Origin;
        return message;
    }

    private void Describe(MqttMessage message, byte[] buffer, int length, in PublishView view)
    {
        message.QoS = view.QoS;
        message.Retain = view.Retain;
        message.TopicOffset = view.TopicOffset;
        message.TopicLength = view.TopicLength;
        message.PayloadOffset = view.PayloadOffset;
        message.PayloadLength = view.PayloadLength;
        if (view.PropertiesNeedFiltering)
        {
            var written = PublishDecoder.CopyForwardableProperties(
                buffer.AsSpan(view.PropertiesOffset, view.PropertiesLength),
                buffer.AsSpan(length));
            message.PropertiesOffset = length;
            message.PropertiesLength = written;
        }
        else if (view.HasForwardableProperties)
        {
            message.PropertiesOffset = view.PropertiesOffset;
            message.PropertiesLength = view.PropertiesLength;
        }
        else
        {
            message.PropertiesOffset = 0;
            message.PropertiesLength = 0;
        }

        if (view.HasMessageExpiry)
        {
            message.HasExpiry = true;
            message.ExpiresAt = _clock.Now + _clock.SecondsToTicks(view.MessageExpiryInterval);
        }
    }
}
