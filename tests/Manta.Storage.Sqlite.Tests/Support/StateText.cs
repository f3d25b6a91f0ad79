using System.Text;
using Manta.Broker.Persistence;
using Manta.Protocol.Properties;

namespace Manta.Storage.Sqlite.Tests.Support;

/// <summary>
/// A stored state as text, one line per row, every field and byte spelled out: two states are
/// equal when their texts are, and a failing comparison shows the difference.
/// </summary>
internal static class StateText
{
    public static string Of(StoredState state)
    {
        var text = new StringBuilder();
        foreach (var session in state.Sessions)
        {
            text.AppendLine($"session {session.ClientId} expiry={session.ExpiryInterval} version={session.ProtocolVersion} disconnected={Of(session.DisconnectedAtUnixMs)}");
            foreach (var subscription in session.Subscriptions)
            {
                text.AppendLine($"  subscription {subscription.TopicFilter} qos={subscription.MaximumQoS} noLocal={subscription.NoLocal} rap={subscription.RetainAsPublished} rh={subscription.RetainHandling} id={subscription.Identifier}");
            }

            foreach (var delivery in session.Deliveries)
            {
                text.AppendLine($"  delivery {delivery.Id} qos={delivery.QoS} retain={delivery.Retain} ids={Of(delivery.SubscriptionIdentifiers)} packet={delivery.PacketId} released={delivery.Released} message={Of(delivery.Message)}");
            }

            foreach (var packetId in session.InboundQos2)
            {
                text.AppendLine($"  inbound {packetId}");
            }

            if (session.Will is { } will)
            {
                text.AppendLine($"  will {will.Will.Topic} payload={Convert.ToHexString(will.Will.Payload)} qos={will.Will.QoS} retain={will.Will.Retain} due={will.DueAtUnixMs} properties={Of(will.Will.Properties)}");
            }
        }

        foreach (var message in state.Retained)
        {
            text.AppendLine($"retained {Of(message)}");
        }

        return text.ToString();
    }

    public static string Of(StoredMessage? message) => message is null
        ? "none"
        : $"({message.Topic} payload={Convert.ToHexString(message.Payload)} properties={Convert.ToHexString(message.Properties)} qos={message.QoS} retain={message.Retain} expires={Of(message.ExpiresAtUnixMs)})";

    private static string Of(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";

    private static string Of(uint[]? ids) => ids is null ? "null" : $"[{string.Join(',', ids)}]";

    private static string Of(MqttProperties? properties) => properties is null
        ? "null"
        : $"(delay={properties.WillDelayInterval} expiry={properties.MessageExpiryInterval} format={properties.PayloadFormatIndicator} contentType={properties.ContentType} responseTopic={properties.ResponseTopic} correlation={(properties.CorrelationData is { } c ? Convert.ToHexString(c) : "null")} user=[{string.Join(';', properties.UserProperties?.Select(p => $"{p.Name}={p.Value}") ?? [])}])";
}
