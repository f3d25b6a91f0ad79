using System.Text;
using Manta.Protocol.Properties;

namespace Manta.Protocol.Codec;

/// <summary>Reads MQTT 5 properties into <see cref="MqttProperties"/> and writes them back.</summary>
/// <remarks>
/// Wire layout (section 2.2.2):
/// <code>
/// property length : variable byte integer (bytes that follow, not counting itself)
/// properties      : (identifier, value)*
/// </code>
/// </remarks>
internal static class PropertyCodec
{
    /// <summary>Reads the property length and the properties after it; null when there are none.</summary>
    public static MqttProperties? ReadWithLength(ref MqttSpanReader reader, ulong allowed)
    {
        var length = reader.ReadVariableByteInteger();
        return Read(reader.ReadBytes(length), allowed, repeatableSubscriptionIds: false);
    }

    /// <summary>Materialises already-delimited property bytes; null when there are none.</summary>
    public static MqttProperties? Read(ReadOnlySpan<byte> properties, ulong allowed, bool repeatableSubscriptionIds)
    {
        if (properties.IsEmpty)
        {
            return null;
        }

        var result = new MqttProperties();
        var reader = new PropertyReader(properties, allowed, repeatableSubscriptionIds);
        while (reader.MoveNext())
        {
            switch (reader.Id)
            {
                case PropertyId.PayloadFormatIndicator: result.PayloadFormatIndicator = (byte)reader.Value; break;
                case PropertyId.MessageExpiryInterval: result.MessageExpiryInterval = reader.Value; break;
                case PropertyId.ContentType: result.ContentType = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.ResponseTopic: result.ResponseTopic = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.CorrelationData: result.CorrelationData = reader.Data.ToArray(); break;
                case PropertyId.SubscriptionIdentifier: (result.SubscriptionIdentifiers ??= []).Add(reader.Value); break;
                case PropertyId.SessionExpiryInterval: result.SessionExpiryInterval = reader.Value; break;
                case PropertyId.AssignedClientIdentifier: result.AssignedClientIdentifier = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.ServerKeepAlive: result.ServerKeepAlive = (ushort)reader.Value; break;
                case PropertyId.AuthenticationMethod: result.AuthenticationMethod = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.AuthenticationData: result.AuthenticationData = reader.Data.ToArray(); break;
                case PropertyId.RequestProblemInformation: result.RequestProblemInformation = (byte)reader.Value; break;
                case PropertyId.WillDelayInterval: result.WillDelayInterval = reader.Value; break;
                case PropertyId.RequestResponseInformation: result.RequestResponseInformation = (byte)reader.Value; break;
                case PropertyId.ResponseInformation: result.ResponseInformation = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.ServerReference: result.ServerReference = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.ReasonString: result.ReasonString = Encoding.UTF8.GetString(reader.Data); break;
                case PropertyId.ReceiveMaximum: result.ReceiveMaximum = (ushort)reader.Value; break;
                case PropertyId.TopicAliasMaximum: result.TopicAliasMaximum = (ushort)reader.Value; break;
                case PropertyId.TopicAlias: result.TopicAlias = (ushort)reader.Value; break;
                case PropertyId.MaximumQoS: result.MaximumQoS = (byte)reader.Value; break;
                case PropertyId.RetainAvailable: result.RetainAvailable = (byte)reader.Value; break;
                case PropertyId.UserProperty:
                    (result.UserProperties ??= []).Add(new UserProperty(
                        Encoding.UTF8.GetString(reader.Data), Encoding.UTF8.GetString(reader.Data2)));
                    break;
                case PropertyId.MaximumPacketSize: result.MaximumPacketSize = reader.Value; break;
                case PropertyId.WildcardSubscriptionAvailable: result.WildcardSubscriptionAvailable = (byte)reader.Value; break;
                case PropertyId.SubscriptionIdentifierAvailable: result.SubscriptionIdentifierAvailable = (byte)reader.Value; break;
                case PropertyId.SharedSubscriptionAvailable: result.SharedSubscriptionAvailable = (byte)reader.Value; break;
            }
        }

        return result;
    }

    /// <summary>Writes the property length and the properties; null writes length 0.</summary>
    public static void WriteWithLength(ref MqttSpanWriter writer, MqttProperties? properties)
    {
        if (properties is null)
        {
            writer.WriteByte(0);
            return;
        }

        var measure = MqttSpanWriter.Measure();
        WriteContent(ref measure, properties);
        writer.WriteVariableByteInteger(measure.Position);
        WriteContent(ref writer, properties);
    }

    /// <summary>Writes every present property, in identifier order (the order itself carries no meaning).</summary>
    public static void WriteContent(ref MqttSpanWriter w, MqttProperties p)
    {
        WriteByteProperty(ref w, PropertyId.PayloadFormatIndicator, p.PayloadFormatIndicator);
        WriteUInt32Property(ref w, PropertyId.MessageExpiryInterval, p.MessageExpiryInterval);
        WriteStringProperty(ref w, PropertyId.ContentType, p.ContentType);
        WriteStringProperty(ref w, PropertyId.ResponseTopic, p.ResponseTopic);
        WriteBinaryProperty(ref w, PropertyId.CorrelationData, p.CorrelationData);
        if (p.SubscriptionIdentifiers is { } ids)
        {
            foreach (var id in ids)
            {
                w.WriteByte((byte)PropertyId.SubscriptionIdentifier);
                w.WriteVariableByteInteger(checked((int)id));
            }
        }

        WriteUInt32Property(ref w, PropertyId.SessionExpiryInterval, p.SessionExpiryInterval);
        WriteStringProperty(ref w, PropertyId.AssignedClientIdentifier, p.AssignedClientIdentifier);
        WriteUInt16Property(ref w, PropertyId.ServerKeepAlive, p.ServerKeepAlive);
        WriteStringProperty(ref w, PropertyId.AuthenticationMethod, p.AuthenticationMethod);
        WriteBinaryProperty(ref w, PropertyId.AuthenticationData, p.AuthenticationData);
        WriteByteProperty(ref w, PropertyId.RequestProblemInformation, p.RequestProblemInformation);
        WriteUInt32Property(ref w, PropertyId.WillDelayInterval, p.WillDelayInterval);
        WriteByteProperty(ref w, PropertyId.RequestResponseInformation, p.RequestResponseInformation);
        WriteStringProperty(ref w, PropertyId.ResponseInformation, p.ResponseInformation);
        WriteStringProperty(ref w, PropertyId.ServerReference, p.ServerReference);
        WriteStringProperty(ref w, PropertyId.ReasonString, p.ReasonString);
        WriteUInt16Property(ref w, PropertyId.ReceiveMaximum, p.ReceiveMaximum);
        WriteUInt16Property(ref w, PropertyId.TopicAliasMaximum, p.TopicAliasMaximum);
        WriteUInt16Property(ref w, PropertyId.TopicAlias, p.TopicAlias);
        WriteByteProperty(ref w, PropertyId.MaximumQoS, p.MaximumQoS);
        WriteByteProperty(ref w, PropertyId.RetainAvailable, p.RetainAvailable);
        if (p.UserProperties is { } users)
        {
            foreach (var user in users)
            {
                w.WriteByte((byte)PropertyId.UserProperty);
                w.WriteString(user.Name);
                w.WriteString(user.Value);
            }
        }

        WriteUInt32Property(ref w, PropertyId.MaximumPacketSize, p.MaximumPacketSize);
        WriteByteProperty(ref w, PropertyId.WildcardSubscriptionAvailable, p.WildcardSubscriptionAvailable);
        WriteByteProperty(ref w, PropertyId.SubscriptionIdentifierAvailable, p.SubscriptionIdentifierAvailable);
        WriteByteProperty(ref w, PropertyId.SharedSubscriptionAvailable, p.SharedSubscriptionAvailable);
    }

    /// <summary>
    /// Size of the property at the start of <paramref name="properties"/>, for copying raw
    /// properties without interpreting them; 0x81 when it is unknown or truncated.
    /// </summary>
    public static int GetEntryLength(ReadOnlySpan<byte> properties)
    {
        var id = (PropertyId)properties[0];
        var size = id switch
        {
            PropertyId.PayloadFormatIndicator or PropertyId.RequestProblemInformation
                or PropertyId.RequestResponseInformation or PropertyId.MaximumQoS
                or PropertyId.RetainAvailable or PropertyId.WildcardSubscriptionAvailable
                or PropertyId.SubscriptionIdentifierAvailable or PropertyId.SharedSubscriptionAvailable => 2,
            PropertyId.ServerKeepAlive or PropertyId.ReceiveMaximum
                or PropertyId.TopicAliasMaximum or PropertyId.TopicAlias => 3,
            PropertyId.MessageExpiryInterval or PropertyId.SessionExpiryInterval
                or PropertyId.WillDelayInterval or PropertyId.MaximumPacketSize => 5,
            PropertyId.SubscriptionIdentifier => VariableByteIntegerEntry(properties),
            PropertyId.ContentType or PropertyId.ResponseTopic or PropertyId.CorrelationData
                or PropertyId.AssignedClientIdentifier or PropertyId.AuthenticationMethod
                or PropertyId.AuthenticationData or PropertyId.ResponseInformation
                or PropertyId.ServerReference or PropertyId.ReasonString => 1 + PrefixedLength(properties, 1),
            PropertyId.UserProperty => UserPropertyEntry(properties),
            _ => MqttThrow.Malformed<int>($"Property 0x{(byte)id:X2} is unknown."),
        };

        if (size > properties.Length)
        {
            MqttThrow.Malformed("Property runs past the end of the properties.");
        }

        return size;
    }

    private static int VariableByteIntegerEntry(ReadOnlySpan<byte> properties)
    {
        var position = 1;
        MqttWire.ReadVariableByteInteger(properties, ref position);
        return position;
    }

    private static int UserPropertyEntry(ReadOnlySpan<byte> properties)
    {
        var nameEnd = 1 + PrefixedLength(properties, 1);
        return nameEnd + PrefixedLength(properties, nameEnd);
    }

    private static int PrefixedLength(ReadOnlySpan<byte> span, int offset)
    {
        if (offset + 2 > span.Length)
        {
            MqttThrow.Malformed("Property runs past the end of the properties.");
        }

        return 2 + ((span[offset] << 8) | span[offset + 1]);
    }

    private static void WriteByteProperty(ref MqttSpanWriter w, PropertyId id, byte? value)
    {
        if (value is { } v)
        {
            w.WriteByte((byte)id);
            w.WriteByte(v);
        }
    }

    private static void WriteUInt16Property(ref MqttSpanWriter w, PropertyId id, ushort? value)
    {
        if (value is { } v)
        {
            w.WriteByte((byte)id);
            w.WriteUInt16(v);
        }
    }

    private static void WriteUInt32Property(ref MqttSpanWriter w, PropertyId id, uint? value)
    {
        if (value is { } v)
        {
            w.WriteByte((byte)id);
            w.WriteUInt32(v);
        }
    }

    private static void WriteStringProperty(ref MqttSpanWriter w, PropertyId id, string? value)
    {
        if (value is not null)
        {
            w.WriteByte((byte)id);
            w.WriteString(value);
        }
    }

    private static void WriteBinaryProperty(ref MqttSpanWriter w, PropertyId id, byte[]? value)
    {
        if (value is not null)
        {
            w.WriteByte((byte)id);
            w.WriteBinary(value);
        }
    }
}
