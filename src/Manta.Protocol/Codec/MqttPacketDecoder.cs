using System.Buffers;
using System.Text;
using Manta.Protocol.Packets;
using Manta.Protocol.Topics;

namespace Manta.Protocol.Codec;

/// <summary>
/// Decodes a frame into a packet object, validating everything the specification makes a
/// malformed packet or protocol error; throws <see cref="MqttProtocolException"/> with the
/// reason code to use.
/// </summary>
public static class MqttPacketDecoder
{
    /// <summary>Bodies up to this size are linearised on the stack; larger ones in a pooled array.</summary>
    private const int StackLimit = 512;

    /// <summary>
    /// Decodes <paramref name="frame"/> as a packet of <paramref name="version"/>. CONNECT carries
    /// its own version, so <paramref name="version"/> is ignored for it (it may be Unknown).
    /// </summary>
    public static MqttPacket Decode(in MqttFrame frame, MqttProtocolVersion version)
    {
        var body = frame.Body;
        if (body.IsSingleSegment)
        {
            return Decode(frame.Type, frame.Flags, body.FirstSpan, version);
        }

        var length = (int)body.Length;
        if (length <= StackLimit)
        {
            Span<byte> copy = stackalloc byte[length];
            body.CopyTo(copy);
            return Decode(frame.Type, frame.Flags, copy, version);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            body.CopyTo(rented);
            return Decode(frame.Type, frame.Flags, rented.AsSpan(0, length), version);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes a linear body; everything kept is copied out of <paramref name="body"/>.</summary>
    internal static MqttPacket Decode(MqttPacketType type, byte flags, ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        if (type == MqttPacketType.Connect)
        {
            CheckFlags(type, flags, 0, version);
            return DecodeConnect(body);
        }

        if (version is not (MqttProtocolVersion.V310 or MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            MqttThrow.ProtocolError("The first packet must be CONNECT (MQTT-3.1.0-1).");
        }

        switch (type)
        {
            case MqttPacketType.Publish:
                return DecodePublish(body, flags, version);
            case MqttPacketType.ConnAck:
                CheckFlags(type, flags, 0, version);
                return DecodeConnAck(body, version);
            case MqttPacketType.PubAck:
                CheckFlags(type, flags, 0, version);
                return DecodePublishResponse(new PubAckPacket(), body, version);
            case MqttPacketType.PubRec:
                CheckFlags(type, flags, 0, version);
                return DecodePublishResponse(new PubRecPacket(), body, version);
            case MqttPacketType.PubRel:
                CheckFlags(type, flags, 0b0010, version);
                return DecodePublishResponse(new PubRelPacket(), body, version);
            case MqttPacketType.PubComp:
                CheckFlags(type, flags, 0, version);
                return DecodePublishResponse(new PubCompPacket(), body, version);
            case MqttPacketType.Subscribe:
                CheckFlags(type, flags, 0b0010, version);
                return DecodeSubscribe(body, version);
            case MqttPacketType.SubAck:
                CheckFlags(type, flags, 0, version);
                return DecodeSubAck(body, version);
            case MqttPacketType.Unsubscribe:
                CheckFlags(type, flags, 0b0010, version);
                return DecodeUnsubscribe(body, version);
            case MqttPacketType.UnsubAck:
                CheckFlags(type, flags, 0, version);
                return DecodeUnsubAck(body, version);
            case MqttPacketType.PingReq:
                CheckFlags(type, flags, 0, version);
                new MqttSpanReader(body).EnsureEnd(MqttPacketType.PingReq);
                return PingReqPacket.Instance;
            case MqttPacketType.PingResp:
                CheckFlags(type, flags, 0, version);
                new MqttSpanReader(body).EnsureEnd(MqttPacketType.PingResp);
                return PingRespPacket.Instance;
            case MqttPacketType.Disconnect:
                CheckFlags(type, flags, 0, version);
                return DecodeDisconnect(body, version);
            case MqttPacketType.Auth:
                if (version != MqttProtocolVersion.V500)
                {
                    MqttThrow.Malformed("AUTH exists only in MQTT 5.");
                }

                CheckFlags(type, flags, 0, version);
                return DecodeAuth(body);
            default:
                return MqttThrow.Malformed<MqttPacket>("Reserved packet type 0.");
        }
    }

    /// <summary>
    /// Reserved fixed-header flags must hold their fixed values (MQTT-2.1.3-1). MQTT 3.1 predates
    /// that rule and let a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE carry DUP, so 3.1 may set bit 3 there.
    /// </summary>
    private static void CheckFlags(MqttPacketType type, byte flags, byte expected, MqttProtocolVersion version)
    {
        if (flags == expected)
        {
            return;
        }

        if (version == MqttProtocolVersion.V310 && expected == 0b0010 && flags == 0b1010)
        {
            return;
        }

        MqttThrow.Malformed($"{type} with fixed-header flags 0x{flags:X} (MQTT-2.1.3-1).");
    }

    // CONNECT (section 3.1):
    //   protocol name   u16 + "MQTT" (or "MQIsdp" for 3.1)
    //   protocol level  byte: 3, 4 or 5
    //   connect flags   byte: user(7) password(6) will retain(5) will QoS(4-3) will(2) clean(1) reserved(0)
    //   keep alive      u16 seconds
    //   properties      v5 only
    //   payload         client id, [v5: will properties], [will topic, will payload], [user name], [password]
    private static ConnectPacket DecodeConnect(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body);
        var name = reader.ReadBinary();
        var level = reader.ReadByte();
        MqttProtocolVersion version;
        string protocolName;
        if (name.SequenceEqual("MQTT"u8))
        {
            protocolName = "MQTT";
            version = level switch
            {
                4 => MqttProtocolVersion.V311,
                5 => MqttProtocolVersion.V500,
                _ => MqttProtocolVersion.Unknown,
            };
        }
        else if (name.SequenceEqual("MQIsdp"u8))
        {
            protocolName = "MQIsdp";
            version = level == 3 ? MqttProtocolVersion.V310 : MqttProtocolVersion.Unknown;
        }
        else
        {
            // MQTT-3.1.2-1: the server may close without CONNACK; the broker does.
            throw new MqttProtocolException(ReasonCode.ProtocolError, "Unknown protocol name in CONNECT (MQTT-3.1.2-1).");
        }

        if (version == MqttProtocolVersion.Unknown)
        {
            MqttThrow.Error(ReasonCode.UnsupportedProtocolVersion, $"Unsupported protocol level {level} for {protocolName} (MQTT-3.1.2-2).");
        }

        var flags = reader.ReadByte();
        if ((flags & 0x01) != 0)
        {
            MqttThrow.Malformed("CONNECT reserved flag is set (MQTT-3.1.2-3).");
        }

        var hasWill = (flags & 0x04) != 0;
        var willQoS = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        var hasPassword = (flags & 0x40) != 0;
        var hasUserName = (flags & 0x80) != 0;
        if (!hasWill && (willQoS != 0 || willRetain))
        {
            MqttThrow.Malformed("CONNECT will QoS or will retain set without the will flag (MQTT-3.1.2-11, MQTT-3.1.2-13).");
        }

        if (willQoS == 3)
        {
            MqttThrow.Malformed("CONNECT will QoS 3 (MQTT-3.1.2-14).");
        }

        if (hasPassword && !hasUserName && version != MqttProtocolVersion.V500)
        {
            MqttThrow.Malformed("CONNECT password flag without user name flag (MQTT-3.1.2-22).");
        }

        var packet = new ConnectPacket
        {
            ProtocolName = protocolName,
            ProtocolVersion = version,
            CleanStart = (flags & 0x02) != 0,
            KeepAliveSeconds = reader.ReadUInt16(),
        };

        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Connect);
            if (packet.Properties is { AuthenticationData: not null, AuthenticationMethod: null })
            {
                MqttThrow.ProtocolError("CONNECT has Authentication Data without Authentication Method.");
            }
        }

        packet.ClientId = reader.ReadString();
        if (hasWill)
        {
            var will = new WillMessage { QoS = (QualityOfService)willQoS, Retain = willRetain };
            if (version == MqttProtocolVersion.V500)
            {
                will.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Will);
            }

            will.Topic = ReadTopicName(ref reader, "Will topic");
            will.Payload = reader.ReadBinaryCopy();
            packet.Will = will;
        }

        if (hasUserName)
        {
            packet.UserName = reader.ReadString();
        }

        if (hasPassword)
        {
            packet.Password = reader.ReadBinaryCopy();
        }

        reader.EnsureEnd(MqttPacketType.Connect);
        return packet;
    }

    private static string ReadTopicName(ref MqttSpanReader reader, string what)
    {
        var bytes = reader.ReadStringBytes();
        if (bytes.IsEmpty || bytes.IndexOfAny((byte)'+', (byte)'#') >= 0)
        {
            MqttThrow.Error(ReasonCode.TopicNameInvalid, what + " is not a valid topic name (MQTT-3.1.3-11, MQTT-4.7.3-1).");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    // CONNACK (section 3.2):
    //   acknowledge flags  byte: session present (bit 0), bits 7-1 reserved 0 (3.1: unused)
    //   return code        byte: 3.x return code, v5 reason code
    //   properties         v5 only
    private static ConnAckPacket DecodeConnAck(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var ackFlags = reader.ReadByte();
        var code = reader.ReadByte();
        var packet = new ConnAckPacket();
        if (version != MqttProtocolVersion.V310)
        {
            if ((ackFlags & 0xFE) != 0)
            {
                MqttThrow.Malformed("CONNACK reserved acknowledge flags are set (MQTT-3.2.2-1).");
            }

            packet.SessionPresent = (ackFlags & 0x01) != 0;
        }

        if (version == MqttProtocolVersion.V500)
        {
            packet.ReasonCode = (ReasonCode)code;
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.ConnAck);
        }
        else
        {
            if (code > (byte)ConnectReturnCode.NotAuthorized)
            {
                MqttThrow.Malformed($"CONNACK return code {code} is reserved.");
            }

            packet.ReasonCode = ConnectReturnCodes.ToReasonCode((ConnectReturnCode)code);
        }

        reader.EnsureEnd(MqttPacketType.ConnAck);
        return packet;
    }

    private static PublishPacket DecodePublish(ReadOnlySpan<byte> body, byte flags, MqttProtocolVersion version)
    {
        // The decoder also serves clients, which receive subscription identifiers from servers.
        PublishDecoder.Read(body, flags, version, fromServer: true, out var view);
        return new PublishPacket
        {
            Topic = Encoding.UTF8.GetString(body.Slice(view.TopicOffset, view.TopicLength)),
            Payload = body.Slice(view.PayloadOffset, view.PayloadLength).ToArray(),
            QoS = view.QoS,
            Retain = view.Retain,
            Dup = view.Dup,
            PacketId = view.PacketId,
            Properties = PropertyCodec.Read(body.Slice(view.PropertiesOffset, view.PropertiesLength), PropertyRules.Publish, repeatableSubscriptionIds: true),
        };
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4-3.7):
    //   packet identifier  u16
    //   v5: reason code    byte, absent when remaining length is 2 (success)
    //   v5: properties     absent when remaining length is below 4
    private static PublishResponsePacket DecodePublishResponse(PublishResponsePacket packet, ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        packet.PacketId = ReadPacketId(ref reader, packet.Type);
        if (version == MqttProtocolVersion.V500 && !reader.End)
        {
            packet.ReasonCode = (ReasonCode)reader.ReadByte();
            if (!reader.End)
            {
                packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Acknowledgement);
            }
        }

        reader.EnsureEnd(packet.Type);
        return packet;
    }

    private static ushort ReadPacketId(ref MqttSpanReader reader, MqttPacketType type)
    {
        var id = reader.ReadUInt16();
        if (id == 0)
        {
            MqttThrow.ProtocolError($"{type} with packet identifier 0 (MQTT-2.2.1-3).");
        }

        return id;
    }

    // SUBSCRIBE (section 3.8):
    //   packet identifier  u16
    //   properties         v5 only: subscription identifier (once), user properties
    //   payload            (topic filter u16 + UTF-8, options byte)+
    //   options            v5: retain handling (5-4) | RAP (3) | no local (2) | QoS (1-0), bits 7-6 reserved
    //                      3.x: QoS (1-0), bits 7-2 reserved
    private static SubscribePacket DecodeSubscribe(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var packet = new SubscribePacket { PacketId = ReadPacketId(ref reader, MqttPacketType.Subscribe) };
        var v5 = version == MqttProtocolVersion.V500;
        if (v5)
        {
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Subscribe);
        }

        if (reader.End)
        {
            MqttThrow.ProtocolError("SUBSCRIBE without topic filters (MQTT-3.8.3-3).");
        }

        while (!reader.End)
        {
            var filter = reader.ReadString();
            var options = reader.ReadByte();
            if ((options & (v5 ? 0xC0 : 0xFC)) != 0)
            {
                MqttThrow.Malformed("SUBSCRIBE options have reserved bits set (MQTT-3.8.3-5).");
            }

            var qos = options & 0x03;
            if (qos == 3)
            {
                MqttThrow.Malformed("SUBSCRIBE with QoS 3 (MQTT-3.8.3-4).");
            }

            var retainHandling = (options >> 4) & 0x03;
            if (retainHandling == 3)
            {
                MqttThrow.ProtocolError("SUBSCRIBE with retain handling 3.");
            }

            if (!MqttTopic.IsValidTopicFilter(filter))
            {
                MqttThrow.Malformed($"SUBSCRIBE topic filter '{filter}' is not valid (MQTT-4.7.1-1).");
            }

            var noLocal = (options & 0x04) != 0;
            if (noLocal && v5 && filter.StartsWith("$share/", StringComparison.Ordinal))
            {
                MqttThrow.ProtocolError("No Local on a shared subscription (MQTT-3.8.3-4).");
            }

            packet.Subscriptions.Add(new TopicSubscription
            {
                TopicFilter = filter,
                MaximumQoS = (QualityOfService)qos,
                NoLocal = noLocal,
                RetainAsPublished = (options & 0x08) != 0,
                RetainHandling = (RetainHandling)retainHandling,
            });
        }

        return packet;
    }

    // SUBACK (section 3.9):
    //   packet identifier  u16
    //   properties         v5 only
    //   payload            one return / reason code byte per filter (3.x: 0, 1, 2 or 0x80)
    private static SubAckPacket DecodeSubAck(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var packet = new SubAckPacket { PacketId = ReadPacketId(ref reader, MqttPacketType.SubAck) };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Acknowledgement);
        }

        foreach (var code in reader.ReadRest())
        {
            if (version != MqttProtocolVersion.V500 && code is > 2 and not 0x80)
            {
                MqttThrow.Malformed($"SUBACK return code 0x{code:X2} is reserved (MQTT-3.9.3-2).");
            }

            packet.ReasonCodes.Add((ReasonCode)code);
        }

        return packet;
    }

    // UNSUBSCRIBE (section 3.10):
    //   packet identifier  u16
    //   properties         v5 only
    //   payload            (topic filter u16 + UTF-8)+
    private static UnsubscribePacket DecodeUnsubscribe(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var packet = new UnsubscribePacket { PacketId = ReadPacketId(ref reader, MqttPacketType.Unsubscribe) };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Unsubscribe);
        }

        if (reader.End)
        {
            MqttThrow.ProtocolError("UNSUBSCRIBE without topic filters (MQTT-3.10.3-2).");
        }

        while (!reader.End)
        {
            var filter = reader.ReadString();
            if (!MqttTopic.IsValidTopicFilter(filter))
            {
                MqttThrow.Malformed($"UNSUBSCRIBE topic filter '{filter}' is not valid (MQTT-4.7.1-1).");
            }

            packet.TopicFilters.Add(filter);
        }

        return packet;
    }

    // UNSUBACK (section 3.11):
    //   packet identifier  u16
    //   v5: properties, then one reason code byte per filter; 3.x: nothing more
    private static UnsubAckPacket DecodeUnsubAck(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var packet = new UnsubAckPacket { PacketId = ReadPacketId(ref reader, MqttPacketType.UnsubAck) };
        if (version == MqttProtocolVersion.V500)
        {
            packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Acknowledgement);
            foreach (var code in reader.ReadRest())
            {
                packet.ReasonCodes.Add((ReasonCode)code);
            }
        }

        reader.EnsureEnd(MqttPacketType.UnsubAck);
        return packet;
    }

    // DISCONNECT (section 3.14): 3.x empty; v5 [reason code [properties]], remaining length 0 = normal.
    private static DisconnectPacket DecodeDisconnect(ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var reader = new MqttSpanReader(body);
        var packet = new DisconnectPacket();
        if (version == MqttProtocolVersion.V500 && !reader.End)
        {
            packet.ReasonCode = (ReasonCode)reader.ReadByte();
            if (!reader.End)
            {
                packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Disconnect);
            }
        }

        reader.EnsureEnd(MqttPacketType.Disconnect);
        return packet;
    }

    // AUTH (section 3.15, v5 only): [reason code [properties]], remaining length 0 = success.
    private static AuthPacket DecodeAuth(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body);
        var packet = new AuthPacket();
        if (!reader.End)
        {
            packet.ReasonCode = (ReasonCode)reader.ReadByte();
            if (!reader.End)
            {
                packet.Properties = PropertyCodec.ReadWithLength(ref reader, PropertyRules.Auth);
            }
        }

        reader.EnsureEnd(MqttPacketType.Auth);
        return packet;
    }
}
