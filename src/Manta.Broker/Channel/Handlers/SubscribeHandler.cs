using Manta.Broker.Extensibility;
using Manta.Broker.Policy;
using Manta.Broker.Subscriptions;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Topics;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// SUBSCRIBE (section 3.8): one reason code per filter; a repeated filter replaces the old
/// subscription without interrupting the flow (MQTT-3.8.4-3); the SUBACK goes out before the
/// retained messages the subscription brings. Shared subscriptions (<c>$share/{group}/{filter}</c>,
/// and EMQX's <c>$queue/{filter}</c>) are accepted from every protocol level; they bring no
/// retained messages (MQTT 5 section 4.8.2) and are authorized on their topic filter, without the
/// prefix (as EMQX does), so one ACL rule covers both kinds.
/// </summary>
internal static class SubscribeHandler
{
    public static async ValueTask HandleAsync(MqttChannel channel, SubscribePacket packet)
    {
        var broker = channel.Broker;
        var policy = broker.Policy;
        var session = channel.Session!;
        var v5 = channel.Version == MqttProtocolVersion.V500;

        if (policy.Qos2Publish == Qos2PublishHandling.NoAcknowledgement
            && packet.Subscriptions.Exists(static s => s.MaximumQoS == QualityOfService.ExactlyOnce))
        {
            // AWS IoT Core's documented behaviour: a QoS 2 subscription gets no SUBACK at all.
            return;
        }

        var codes = new List<ReasonCode>(packet.Subscriptions.Count);
        List<Subscription>? retainedFor = null;
        var identifier = packet.Properties?.SubscriptionIdentifiers is [var id, ..] ? id : 0u;

        foreach (var request in packet.Subscriptions)
        {
            var shared = SharedSubscriptionFilter.TryParse(request.TopicFilter, out _, out var filter);
            if (shared)
            {
                // The codec checked "$share/" filters; "$queue/" ones passed as ordinary filters, so
                // what follows the prefix may still be empty ("$queue/").
                if (!MqttTopic.IsValidTopicFilter(filter))
                {
                    codes.Add(v5 ? ReasonCode.TopicFilterInvalid : ReasonCode.UnspecifiedError);
                    continue;
                }

                if (request.NoLocal)
                {
                    // The codec rejects it on "$share/"; "$queue/" is the same thing (MQTT-3.8.3-4).
                    throw new MqttProtocolException(ReasonCode.ProtocolError, "No Local on a shared subscription (MQTT-3.8.3-4)");
                }
            }

            if (filter.Length > policy.MaximumTopicLength || filter.AsSpan().Count('/') + 1 > policy.MaximumTopicLevels)
            {
                // Well formed but beyond the server's limits: what 0x8F is for.
                codes.Add(v5 ? ReasonCode.TopicFilterInvalid : ReasonCode.UnspecifiedError);
                continue;
            }

            if (policy.MaximumSubscriptionsPerClient > 0
                && session.SubscriptionCount >= policy.MaximumSubscriptionsPerClient
                && !session.HasSubscription(request.TopicFilter))
            {
                codes.Add(v5 ? ReasonCode.QuotaExceeded : ReasonCode.UnspecifiedError);
                continue;
            }

            if (broker.Authorizer is { } authorizer
                && !await authorizer.AuthorizeAsync(channel.Principal!, MqttAction.Subscribe, filter, CancellationToken.None).ConfigureAwait(false))
            {
                codes.Add(v5 ? ReasonCode.NotAuthorized : ReasonCode.UnspecifiedError);
                continue;
            }

            var granted = (QualityOfService)Math.Min((int)request.MaximumQoS, (int)policy.MaximumQoS);
            var subscription = new Subscription(session, request.TopicFilter, granted, request.NoLocal, request.RetainAsPublished, request.RetainHandling, identifier);
            var old = session.PutSubscription(subscription);
            if (old is null)
            {
                broker.Index.Add(subscription);
            }
            else
            {
                broker.Index.Replace(old, subscription);
            }

            if (session.IsEnded)
            {
                // A takeover with clean start ended the session meanwhile: leave nothing behind in the index.
                broker.Index.Remove(subscription);
            }

            codes.Add((ReasonCode)(byte)granted);
            if (shared)
            {
                // "Retained messages are not sent to the Session when it first subscribes to a shared subscription" (section 4.8.2).
                continue;
            }

            if (request.RetainHandling == RetainHandling.SendAtSubscribe
                || (request.RetainHandling == RetainHandling.SendIfNewSubscription && old is null))
            {
                (retainedFor ??= []).Add(subscription);
            }
        }

        channel.Send(new SubAckPacket { PacketId = packet.PacketId, ReasonCodes = codes });

        if (retainedFor is not null && broker.Policy.Retain == RetainPolicy.Store)
        {
            foreach (var subscription in retainedFor)
            {
                broker.Router.SendRetained(subscription);
            }
        }
    }
}
