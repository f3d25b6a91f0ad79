using Manta.Protocol.Properties;

namespace Manta.Protocol.Codec;

/// <summary>
/// Walks MQTT 5 properties one at a time and validates each (allowed in this packet, not
/// repeated, value in range, strings well-formed) without allocating. The only property parser:
/// the PUBLISH hot path reads through it in place and <see cref="PropertyCodec"/> materialises from it.
/// </summary>
/// <remarks>
/// Property layout (section 2.2.2): identifier (a variable byte integer, in practice one byte
/// since every id is below 128) followed by a value whose type the id fixes.
/// </remarks>
internal ref struct PropertyReader
{
    private readonly ulong _allowed;
    private readonly bool _repeatableSubscriptionIds;
    private MqttSpanReader _reader;
    private ulong _seen;

    /// <param name="properties">The property bytes, without the property length.</param>
    /// <param name="allowed">A mask from <see cref="PropertyRules"/>.</param>
    /// <param name="repeatableSubscriptionIds">True only for a PUBLISH sent by a server (section 3.3.2.3.8).</param>
    public PropertyReader(ReadOnlySpan<byte> properties, ulong allowed, bool repeatableSubscriptionIds)
    {
        _reader = new MqttSpanReader(properties);
        _allowed = allowed;
        _repeatableSubscriptionIds = repeatableSubscriptionIds;
        _seen = 0;
        Id = default;
        Value = 0;
        Data = default;
        Data2 = default;
    }

    public PropertyId Id { get; private set; }

    /// <summary>The value of a byte, two-byte, four-byte or variable byte integer property.</summary>
    public uint Value { get; private set; }

    /// <summary>The value of a string or binary property; a user property's name.</summary>
    public ReadOnlySpan<byte> Data { get; private set; }

    /// <summary>A user property's value.</summary>
    public ReadOnlySpan<byte> Data2 { get; private set; }

    public bool MoveNext()
    {
        if (_reader.End)
        {
            return false;
        }

        var id = _reader.ReadByte();
        if (!PropertyRules.IsAllowed(_allowed, id))
        {
            MqttThrow.Malformed($"Property 0x{id:X2} is unknown or not allowed in this packet.");
        }

        if (id != (byte)PropertyId.UserProperty
            && !(id == (byte)PropertyId.SubscriptionIdentifier && _repeatableSubscriptionIds))
        {
            var bit = 1UL << id;
            if ((_seen & bit) != 0)
            {
                MqttThrow.ProtocolError($"Property 0x{id:X2} appears more than once.");
            }

            _seen |= bit;
        }

        Id = (PropertyId)id;
        Data = default;
        Data2 = default;
        Value = 0;
        switch (Id)
        {
            case PropertyId.PayloadFormatIndicator:
            case PropertyId.RequestProblemInformation:
            case PropertyId.RequestResponseInformation:
            case PropertyId.MaximumQoS:
            case PropertyId.RetainAvailable:
            case PropertyId.WildcardSubscriptionAvailable:
            case PropertyId.SubscriptionIdentifierAvailable:
            case PropertyId.SharedSubscriptionAvailable:
                Value = _reader.ReadByte();
                if (Value > 1)
                {
                    MqttThrow.ProtocolError($"Property {Id} must be 0 or 1.");
                }

                break;

            case PropertyId.ServerKeepAlive:
            case PropertyId.TopicAliasMaximum:
                Value = _reader.ReadUInt16();
                break;

            case PropertyId.ReceiveMaximum:
                Value = _reader.ReadUInt16();
                if (Value == 0)
                {
                    MqttThrow.ProtocolError("Receive Maximum must not be 0.");
                }

                break;

            case PropertyId.TopicAlias:
                Value = _reader.ReadUInt16();
                if (Value == 0)
                {
                    MqttThrow.Error(ReasonCode.TopicAliasInvalid, "Topic Alias must not be 0 (MQTT-3.3.2-8).");
                }

                break;

            case PropertyId.MessageExpiryInterval:
            case PropertyId.SessionExpiryInterval:
            case PropertyId.WillDelayInterval:
                Value = _reader.ReadUInt32();
                break;

            case PropertyId.MaximumPacketSize:
                Value = _reader.ReadUInt32();
                if (Value == 0)
                {
                    MqttThrow.ProtocolError("Maximum Packet Size must not be 0.");
                }

                break;

            case PropertyId.SubscriptionIdentifier:
                Value = (uint)_reader.ReadVariableByteInteger();
                if (Value == 0)
                {
                    MqttThrow.ProtocolError("Subscription Identifier must not be 0.");
                }

                break;

            case PropertyId.ResponseTopic:
                Data = _reader.ReadStringBytes();
                if (Data.IsEmpty || Data.IndexOfAny((byte)'+', (byte)'#') >= 0)
                {
                    MqttThrow.ProtocolError("Response Topic must be a valid topic name (MQTT-3.3.2-14).");
                }

                break;

            case PropertyId.ContentType:
            case PropertyId.AssignedClientIdentifier:
            case PropertyId.AuthenticationMethod:
            case PropertyId.ResponseInformation:
            case PropertyId.ServerReference:
            case PropertyId.ReasonString:
                Data = _reader.ReadStringBytes();
                break;

            case PropertyId.CorrelationData:
            case PropertyId.AuthenticationData:
                Data = _reader.ReadBinary();
                break;

            case PropertyId.UserProperty:
                Data = _reader.ReadStringBytes();
                Data2 = _reader.ReadStringBytes();
                break;

            default:
                // Every id in a PropertyRules mask is handled above.
                MqttThrow.Malformed($"Property 0x{id:X2} is unknown.");
                break;
        }

        return true;
    }
}
