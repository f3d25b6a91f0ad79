using System.Buffers;

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
        => throw new NotImplementedException();

    /// <summary>
    /// Writes a PUBLISH. <paramref name="forwardedProperties"/> are raw property bytes written as
    /// they are (ignored for 3.x); message expiry (when <paramref name="hasMessageExpiry"/>),
    /// subscription identifiers and a non-zero topic alias are appended as properties (v5 only).
    /// Returns the bytes written.
    /// </summary>
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
        => throw new NotImplementedException();
}
