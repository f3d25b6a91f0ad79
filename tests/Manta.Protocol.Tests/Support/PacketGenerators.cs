using CsCheck;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Protocol.Tests.Support;

/// <summary>CsCheck generators of valid packets for each protocol version.</summary>
internal static class PacketGenerators
{
    public static readonly Gen<string> Text =
        Gen.OneOf("", "a", "abc", "é", "€uro", "😀", "a/b", "x y", "\u007F").List[0, 3].Select(parts => string.Concat(parts));

    public static readonly Gen<byte[]> Bytes = Gen.Byte.Array[0, 12];

    public static readonly Gen<string> TopicName =
        Gen.OneOf("a", "b", "$sys", "", "é", "long-level").List[1, 4]
            .Select(levels => string.Join('/', levels))
            .Select(topic => topic.Length == 0 ? "a" : topic);

    public static readonly Gen<string> TopicFilter =
        Gen.Select(
            Gen.OneOf("a", "b", "+", "$sys", "").List[1, 4],
            Gen.Int[0, 2],
            Gen.Bool,
            (levels, tail, shared) =>
            {
                var filter = string.Join('/', levels);
                filter = tail switch
                {
                    1 => filter + "/#",
                    2 => "#",
                    _ => filter.Length == 0 ? "a" : filter,
                };
                return shared ? "$share/g/" + filter : filter;
            });

    private static readonly Gen<UserProperty> User = Gen.Select(Text, Text, (n, v) => new UserProperty(n, v));

    /// <summary>Properties restricted to <paramref name="allowed"/>; null when none is chosen.</summary>
    public static Gen<MqttProperties?> Properties(ulong allowed, bool manySubscriptionIds = false)
        => Gen.Select(
            Gen.ULong,
            Gen.UInt,
            Gen.UShort[1, ushort.MaxValue],
            Text,
            TopicName,
            Bytes,
            User.List[1, 3],
            Gen.UInt[1, 268_435_455].List[1, 3],
            (bits, u32, u16, text, topic, data, users, subIds) =>
            {
                bits &= allowed;
                if (bits == 0)
                {
                    return null;
                }

                bool Has(PropertyId id) => (bits & (1UL << (int)id)) != 0;
                byte Flag(int shift) => (byte)((u32 >> shift) & 1);
                return new MqttProperties
                {
                    PayloadFormatIndicator = Has(PropertyId.PayloadFormatIndicator) ? Flag(0) : null,
                    MessageExpiryInterval = Has(PropertyId.MessageExpiryInterval) ? u32 : null,
                    ContentType = Has(PropertyId.ContentType) ? text : null,
                    ResponseTopic = Has(PropertyId.ResponseTopic) ? topic : null,
                    CorrelationData = Has(PropertyId.CorrelationData) ? data : null,
                    SubscriptionIdentifiers = Has(PropertyId.SubscriptionIdentifier) ? (manySubscriptionIds ? subIds : [subIds[0]]) : null,
                    SessionExpiryInterval = Has(PropertyId.SessionExpiryInterval) ? u32 ^ 0x5555 : null,
                    AssignedClientIdentifier = Has(PropertyId.AssignedClientIdentifier) ? text + "id" : null,
                    ServerKeepAlive = Has(PropertyId.ServerKeepAlive) ? (ushort)(u16 - 1) : null,
                    AuthenticationMethod = Has(PropertyId.AuthenticationMethod) || Has(PropertyId.AuthenticationData) ? "SCRAM-" + text : null,
                    AuthenticationData = Has(PropertyId.AuthenticationData) ? data : null,
                    RequestProblemInformation = Has(PropertyId.RequestProblemInformation) ? Flag(1) : null,
                    WillDelayInterval = Has(PropertyId.WillDelayInterval) ? u32 >> 3 : null,
                    RequestResponseInformation = Has(PropertyId.RequestResponseInformation) ? Flag(2) : null,
                    ResponseInformation = Has(PropertyId.ResponseInformation) ? text : null,
                    ServerReference = Has(PropertyId.ServerReference) ? "srv" + text : null,
                    ReasonString = Has(PropertyId.ReasonString) ? text : null,
                    ReceiveMaximum = Has(PropertyId.ReceiveMaximum) ? u16 : null,
                    TopicAliasMaximum = Has(PropertyId.TopicAliasMaximum) ? (ushort)(u16 - 1) : null,
                    TopicAlias = Has(PropertyId.TopicAlias) ? u16 : null,
                    MaximumQoS = Has(PropertyId.MaximumQoS) ? Flag(3) : null,
                    RetainAvailable = Has(PropertyId.RetainAvailable) ? Flag(4) : null,
                    UserProperties = Has(PropertyId.UserProperty) ? users : null,
                    MaximumPacketSize = Has(PropertyId.MaximumPacketSize) ? Math.Max(1, u32) : null,
                    WildcardSubscriptionAvailable = Has(PropertyId.WildcardSubscriptionAvailable) ? Flag(5) : null,
                    SubscriptionIdentifierAvailable = Has(PropertyId.SubscriptionIdentifierAvailable) ? Flag(6) : null,
                    SharedSubscriptionAvailable = Has(PropertyId.SharedSubscriptionAvailable) ? Flag(7) : null,
                };
            });

    private static Gen<MqttProperties?> PropertiesFor(MqttProtocolVersion version, ulong allowed, bool manySubscriptionIds = false)
        => version == MqttProtocolVersion.V500 ? Properties(allowed, manySubscriptionIds) : Gen.Const(() => (MqttProperties?)null);

    private static Gen<T?> Optional<T>(Gen<T> gen)
        where T : class
        => Gen.Select(Gen.Bool, gen, (present, value) => present ? value : null);

    public static Gen<MqttPacket> Packet(MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var packetId = Gen.UShort[1, ushort.MaxValue];
        var ackProperties = PropertiesFor(version, PropertyRules.Acknowledgement);

        var will = Gen.Select(TopicName, Bytes, Gen.Int[0, 2], Gen.Bool, PropertiesFor(version, PropertyRules.Will), (topic, payload, qos, retain, props) =>
            new WillMessage { Topic = topic, Payload = payload, QoS = (QualityOfService)qos, Retain = retain, Properties = props });

        var connect = Gen.Select(Text, Gen.UShort, Gen.Bool, Optional(Text), Optional(Bytes), Optional(will), PropertiesFor(version, PropertyRules.Connect), (clientId, keepAlive, clean, user, password, w, props) =>
            (MqttPacket)new ConnectPacket
            {
                ProtocolName = version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT",
                ProtocolVersion = version,
                ClientId = clientId,
                KeepAliveSeconds = keepAlive,
                CleanStart = clean,
                UserName = user ?? (!v5 && password is not null ? "user" : null),
                Password = password,
                Will = w,
                Properties = props,
            });

        var v3ReturnCodes = Gen.OneOf(ReasonCode.Success, ReasonCode.UnsupportedProtocolVersion, ReasonCode.ClientIdentifierNotValid, ReasonCode.ServerUnavailable, ReasonCode.BadUserNameOrPassword, ReasonCode.NotAuthorized);
        var connAck = Gen.Select(Gen.Bool, v5 ? Gen.Byte.Select(b => (ReasonCode)b) : v3ReturnCodes, PropertiesFor(version, PropertyRules.ConnAck), (present, code, props) =>
            (MqttPacket)new ConnAckPacket { SessionPresent = present && version != MqttProtocolVersion.V310, ReasonCode = code, Properties = props });

        var publish = Gen.Select(TopicName, Bytes, Gen.Int[0, 2], Gen.Bool, Gen.Bool, packetId, PropertiesFor(version, PropertyRules.Publish, manySubscriptionIds: true), (topic, payload, qos, retain, dup, id, props) =>
            (MqttPacket)new PublishPacket
            {
                // An alias lets v5 leave the topic empty; use that now and then.
                Topic = props?.TopicAlias is { } alias && alias % 3 == 0 ? string.Empty : topic,
                Payload = payload,
                QoS = (QualityOfService)qos,
                Retain = retain,
                Dup = qos > 0 && dup,
                PacketId = qos > 0 ? id : (ushort)0,
                Properties = props,
            });

        Gen<MqttPacket> Response<T>()
            where T : PublishResponsePacket, new()
            => Gen.Select(packetId, Gen.Byte, ackProperties, (id, code, props) =>
                (MqttPacket)new T { PacketId = id, ReasonCode = v5 ? (ReasonCode)code : ReasonCode.Success, Properties = props });

        var subscription = Gen.Select(TopicFilter, Gen.Int[0, 2], Gen.Bool, Gen.Bool, Gen.Int[0, 2], (filter, qos, noLocal, rap, rh) => new TopicSubscription
        {
            TopicFilter = filter,
            MaximumQoS = (QualityOfService)qos,
            NoLocal = v5 && noLocal && !filter.StartsWith("$share/", StringComparison.Ordinal),
            RetainAsPublished = v5 && rap,
            RetainHandling = v5 ? (RetainHandling)rh : RetainHandling.SendAtSubscribe,
        });
        var subscribe = Gen.Select(packetId, subscription.List[1, 4], PropertiesFor(version, PropertyRules.Subscribe), (id, subs, props) =>
            (MqttPacket)new SubscribePacket { PacketId = id, Subscriptions = subs, Properties = props });

        var subAckCode = v5 ? Gen.Byte.Select(b => (ReasonCode)b) : Gen.OneOf(ReasonCode.GrantedQoS0, ReasonCode.GrantedQoS1, ReasonCode.GrantedQoS2, ReasonCode.UnspecifiedError);
        var subAck = Gen.Select(packetId, subAckCode.List[0, 5], ackProperties, (id, codes, props) =>
            (MqttPacket)new SubAckPacket { PacketId = id, ReasonCodes = codes, Properties = props });

        var unsubscribe = Gen.Select(packetId, TopicFilter.List[1, 4], PropertiesFor(version, PropertyRules.Unsubscribe), (id, filters, props) =>
            (MqttPacket)new UnsubscribePacket { PacketId = id, TopicFilters = filters, Properties = props });

        var unsubAck = Gen.Select(packetId, Gen.Byte.Select(b => (ReasonCode)b).List[0, 5], ackProperties, (id, codes, props) =>
            (MqttPacket)new UnsubAckPacket { PacketId = id, ReasonCodes = v5 ? codes : [], Properties = props });

        var disconnect = Gen.Select(Gen.Byte, PropertiesFor(version, PropertyRules.Disconnect), (code, props) =>
            (MqttPacket)new DisconnectPacket { ReasonCode = v5 ? (ReasonCode)code : ReasonCode.NormalDisconnection, Properties = props });

        var auth = Gen.Select(Gen.Byte, Properties(PropertyRules.Auth), (code, props) =>
            (MqttPacket)new AuthPacket { ReasonCode = (ReasonCode)code, Properties = props });

        List<Gen<MqttPacket>> all =
        [
            connect, connAck, publish, Response<PubAckPacket>(), Response<PubRecPacket>(), Response<PubRelPacket>(), Response<PubCompPacket>(),
            subscribe, subAck, unsubscribe, unsubAck, Gen.Const<MqttPacket>(PingReqPacket.Instance), Gen.Const<MqttPacket>(PingRespPacket.Instance), disconnect,
        ];
        if (v5)
        {
            all.Add(auth);
        }

        return Gen.OneOf<MqttPacket>(all.ToArray());
    }
}
