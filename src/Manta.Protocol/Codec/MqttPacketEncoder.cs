using System.Buffers;
using Manta.Protocol.Packets;

namespace Manta.Protocol.Codec;

/// <summary>Encodes packet objects for a protocol version into an <see cref="IBufferWriter{T}"/>.</summary>
/// <remarks>
/// Each packet is measured first and then written once into a span of exactly its size. The
/// encoder checks only what it needs to produce valid bytes (lengths that fit their prefixes);
/// semantics are the caller's. The wire layouts are drawn above each reader in
/// <see cref="MqttPacketDecoder"/>; the writers here mirror them field for field.
/// </remarks>
public static class MqttPacketEncoder
{
    /// <summary>Writes <paramref name="packet"/> as <paramref name="version"/> encodes it; returns the bytes written.</summary>
    /// <remarks>
    /// For CONNECT, <paramref name="version"/> decides the protocol name and level written
    /// (<c>MQIsdp</c>/3, <c>MQTT</c>/4, <c>MQTT</c>/5); the packet's own ProtocolName and
    /// ProtocolVersion are not consulted, so the two can never disagree on the wire.
    /// </remarks>
    public static int Encode(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(output);
        if (version is not (MqttProtocolVersion.V310 or MqttProtocolVersion.V311 or MqttProtocolVersion.V500))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Encode needs a known protocol version.");
        }

        if (packet is AuthPacket && version != MqttProtocolVersion.V500)
        {
            throw new ArgumentException("AUTH exists only in MQTT 5.", nameof(packet));
        }

        var measure = MqttSpanWriter.Measure();
        WriteBody(ref measure, packet, version);
        var remaining = measure.Position;
        var total = 1 + MqttWire.GetVariableByteIntegerSize(remaining) + remaining;

        var span = output.GetSpan(total).Slice(0, total);
        var writer = new MqttSpanWriter(span);
        writer.WriteByte((byte)(((int)packet.Type << 4) | FixedHeaderFlags(packet)));
        writer.WriteVariableByteInteger(remaining);
        WriteBody(ref writer, packet, version);
        output.Advance(total);
        return total;
    }

    private static int FixedHeaderFlags(MqttPacket packet) => packet switch
    {
        PublishPacket p => (p.Dup ? 0x08 : 0) | ((int)p.QoS << 1) | (p.Retain ? 0x01 : 0),
        PubRelPacket or SubscribePacket or UnsubscribePacket => 0b0010,
        _ => 0,
    };

    private static void WriteBody(ref MqttSpanWriter w, MqttPacket packet, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        switch (packet)
        {
            case ConnectPacket connect:
                WriteConnect(ref w, connect, version);
                break;

            case ConnAckPacket connAck:
                w.WriteByte(version != MqttProtocolVersion.V310 && connAck.SessionPresent ? (byte)1 : (byte)0);
                w.WriteByte(v5 ? (byte)connAck.ReasonCode : (byte)ConnectReturnCodes.FromReasonCode(connAck.ReasonCode));
                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, connAck.Properties);
                }

                break;

            case PublishPacket publish:
                w.WriteString(publish.Topic);
                if (publish.QoS != QualityOfService.AtMostOnce)
                {
                    w.WriteUInt16(publish.PacketId);
                }

                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, publish.Properties);
                }

                w.WriteBytes(publish.Payload.Span);
                break;

            case PublishResponsePacket response:
                w.WriteUInt16(response.PacketId);

                // The shortest form that says the same thing (section 3.4.2.1).
                if (v5 && (response.ReasonCode != ReasonCode.Success || response.Properties is not null))
                {
                    w.WriteByte((byte)response.ReasonCode);
                    if (response.Properties is not null)
                    {
                        PropertyCodec.WriteWithLength(ref w, response.Properties);
                    }
                }

                break;

            case SubscribePacket subscribe:
                w.WriteUInt16(subscribe.PacketId);
                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, subscribe.Properties);
                }

                foreach (var s in subscribe.Subscriptions)
                {
                    w.WriteString(s.TopicFilter);
                    var options = (int)s.MaximumQoS;
                    if (v5)
                    {
                        options |= (s.NoLocal ? 0x04 : 0) | (s.RetainAsPublished ? 0x08 : 0) | ((int)s.RetainHandling << 4);
                    }

                    w.WriteByte((byte)options);
                }

                break;

            case SubAckPacket subAck:
                w.WriteUInt16(subAck.PacketId);
                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, subAck.Properties);
                }

                foreach (var code in subAck.ReasonCodes)
                {
                    w.WriteByte(!v5 && code >= ReasonCode.UnspecifiedError ? (byte)0x80 : (byte)code);
                }

                break;

            case UnsubscribePacket unsubscribe:
                w.WriteUInt16(unsubscribe.PacketId);
                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, unsubscribe.Properties);
                }

                foreach (var filter in unsubscribe.TopicFilters)
                {
                    w.WriteString(filter);
                }

                break;

            case UnsubAckPacket unsubAck:
                w.WriteUInt16(unsubAck.PacketId);
                if (v5)
                {
                    PropertyCodec.WriteWithLength(ref w, unsubAck.Properties);
                    foreach (var code in unsubAck.ReasonCodes)
                    {
                        w.WriteByte((byte)code);
                    }
                }

                break;

            case PingReqPacket or PingRespPacket:
                break;

            case DisconnectPacket disconnect:
                if (v5)
                {
                    WriteReasonAndProperties(ref w, disconnect.ReasonCode, disconnect.Properties);
                }

                break;

            case AuthPacket auth:
                WriteReasonAndProperties(ref w, auth.ReasonCode, auth.Properties);
                break;

            default:
                throw new ArgumentException($"Unknown packet type {packet.GetType().Name}.", nameof(packet));
        }
    }

    /// <summary>DISCONNECT and AUTH: remaining length 0 stands for reason 0x00 without properties.</summary>
    private static void WriteReasonAndProperties(ref MqttSpanWriter w, ReasonCode reasonCode, Properties.MqttProperties? properties)
    {
        if (reasonCode == ReasonCode.Success && properties is null)
        {
            return;
        }

        w.WriteByte((byte)reasonCode);
        if (properties is not null)
        {
            PropertyCodec.WriteWithLength(ref w, properties);
        }
    }

    private static void WriteConnect(ref MqttSpanWriter w, ConnectPacket connect, MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        w.WriteString(version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT");
        w.WriteByte((byte)version);

        var will = connect.Will;
        var flags = (connect.UserName is not null ? 0x80 : 0)
            | (connect.Password is not null ? 0x40 : 0)
            | (will is { Retain: true } ? 0x20 : 0)
            | (will is not null ? ((int)will.QoS << 3) | 0x04 : 0)
            | (connect.CleanStart ? 0x02 : 0);
        w.WriteByte((byte)flags);
        w.WriteUInt16(connect.KeepAliveSeconds);
        if (v5)
        {
            PropertyCodec.WriteWithLength(ref w, connect.Properties);
        }

        w.WriteString(connect.ClientId);
        if (will is not null)
        {
            if (v5)
            {
                PropertyCodec.WriteWithLength(ref w, will.Properties);
            }

            w.WriteString(will.Topic);
            w.WriteBinary(will.Payload);
        }

        if (connect.UserName is not null)
        {
            w.WriteString(connect.UserName);
        }

        if (connect.Password is not null)
        {
            w.WriteBinary(connect.Password);
        }
    }
}
