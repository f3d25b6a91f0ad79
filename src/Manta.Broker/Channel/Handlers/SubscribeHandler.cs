using Manta.Broker.Extensibility;
using Manta.Broker.Policy;
using Manta.Broker.Subscriptions;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// SUBSCRIBE (section 3.8): one reason code per filter; a repeated filter replaces the old
/// subscription without interrupting the flow (MQTT-3.8.4-3); the SUBACK goes out before the
/// retained messages the subscription brings.
/// </summary>
internal static class SubscribeHandler
{
    private const string SharedPrefix = "$share/";

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
            if (request.TopicFilter.StartsWith(SharedPrefix, StringComparison.Ordinal))
            {
                codes.Add(v5 ? ReasonCode.SharedSubscriptionsNotSupported : ReasonCode.UnspecifiedError);
                continue;
            }

            if (broker.Authorizer is { } authorizer
                && !await authorizer.AuthorizeAsync(channel.Principal!, MqttAction.Subscribe, request.TopicFilter, CancellationToken.None).ConfigureAwait(false))
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
