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
        => throw new NotImplementedException();

    /// <summary>
    /// Copies the properties of a PUBLISH (the raw bytes at PropertiesOffset, PropertiesLength)
    /// except topic alias and message expiry into <paramref name="destination"/>; returns the
    /// number of bytes written (at most the source length).
    /// </summary>
    public static int CopyForwardableProperties(ReadOnlySpan<byte> properties, Span<byte> destination)
        => throw new NotImplementedException();
}
