namespace Manta.Protocol.Codec;

/// <summary>
/// A validated PUBLISH, described by offsets into the body it was read from, so the broker can
/// keep the body in its own buffer and never copy topic or payload again.
/// </summary>
public struct PublishView
{
    public QualityOfService QoS;
    public bool Retain;
    public bool Dup;

    /// <summary>0 when QoS is 0.</summary>
    public ushort PacketId;

    /// <summary>Offset of the topic name's UTF-8 bytes (after its length prefix).</summary>
    public int TopicOffset;

    /// <summary>May be 0 in v5 when <see cref="TopicAlias"/> is set.</summary>
    public int TopicLength;

    /// <summary>Offset of the first property (after the property length); 0 length for 3.x.</summary>
    public int PropertiesOffset;

    public int PropertiesLength;

    public int PayloadOffset;

    public int PayloadLength;

    /// <summary>0 when absent (0 itself is rejected with 0x94).</summary>
    public ushort TopicAlias;

    public bool HasMessageExpiry;

    public uint MessageExpiryInterval;

    /// <summary>0 or 1; 0 when absent.</summary>
    public byte PayloadFormatIndicator;

    /// <summary>
    /// True when the properties hold anything besides topic alias and message expiry, i.e. what
    /// the server forwards unchanged (payload format, content type, response topic, correlation
    /// data, user properties).
    /// </summary>
    public bool HasForwardableProperties;

    /// <summary>True when the properties include topic alias or message expiry, which are never forwarded verbatim.</summary>
    public bool PropertiesNeedFiltering;
}
