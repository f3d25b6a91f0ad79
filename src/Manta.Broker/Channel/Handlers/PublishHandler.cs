using Manta.Broker.Connections;
using Manta.Broker.Diagnostics;
using Manta.Broker.Extensibility;
using Manta.Broker.Messages;
using Manta.Broker.Persistence;
using Manta.Broker.Policy;
using Manta.Broker.Sessions;
using Manta.Protocol;
using Manta.Protocol.Codec;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// PUBLISH from a client (section 3.3): the hot path. The body is copied once into the message's
/// pooled buffer and parsed there; policy checks; QoS 2 duplicate suppression; routing; the
/// acknowledgement. Synchronous unless an authorizer or sink is registered.
/// </summary>
internal static class PublishHandler
{
    public static ValueTask HandleAsync(MqttChannel channel, MqttFrame frame)
    {
        // QoS 2 from a stored session under Sync durability: its packet id and the deliveries it
        // makes commit in one transaction. Apart, a crash between the two would leave the id
        // known without the deliveries (a resend acknowledged, the message lost) or the reverse
        // (delivered twice).
        if ((frame.Flags & 0x06) >> 1 != (int)QualityOfService.ExactlyOnce
            || channel.Session?.Journal is not { Store: { AcknowledgesAfterCommit: true } store })
        {
            return HandleCoreAsync(channel, frame);
        }

        var hold = store.HoldCommit();
        ValueTask handling;
        try
        {
            handling = HandleCoreAsync(channel, frame);
        }
        catch
        {
            store.ReleaseCommit(hold);
            throw;
        }

        if (handling.IsCompleted)
        {
            store.ReleaseCommit(hold);
            return handling;
        }

        return ReleaseAfterAsync(handling, store, hold);
    }

    private static async ValueTask ReleaseAfterAsync(ValueTask handling, ISessionStore store, long hold)
    {
        try
        {
            await handling.ConfigureAwait(false);
        }
        finally
        {
            store.ReleaseCommit(hold);
        }
    }

    private static ValueTask HandleCoreAsync(MqttChannel channel, MqttFrame frame)
    {
        var broker = channel.Broker;
        var message = broker.Messages.FromPublishBody(frame.Body, frame.Flags, channel.Version, out var view);
        long stored;
        try
        {
            if (view.TopicAlias != 0)
            {
                message = ResolveTopicAlias(channel, message, in view);
            }

            // What admission stores (an inbound QoS 2 id) must be durable before PUBREC too.
            StoreJournal.BeginTracking();
            var admitted = Admit(channel, message, in view, frame.TotalSize, out var throttle);
            stored = StoreJournal.TakeWritten();
            if (!admitted)
            {
                message.Release();
                return ValueTask.CompletedTask;
            }

            if (throttle > TimeSpan.Zero)
            {
                return RouteLaterAsync(channel, message, view.QoS, view.PacketId, throttle, stored);
            }

        }
        catch
        {
            message.Release();
            throw;
        }

        return Dispatch(channel, message, view.QoS, view.PacketId, stored);
    }

    /// <summary>Routes an admitted message and gives back its reference: synchronously unless an authorizer or sink must be awaited.</summary>
    private static ValueTask Dispatch(MqttChannel channel, MqttMessage message, QualityOfService qos, ushort packetId, long stored)
    {
        if (channel.Broker.Authorizer is not null || channel.Broker.Sinks.Length > 0)
        {
            return RouteWithExtensionsAsync(channel, message, qos, packetId, stored);
        }

        try
        {
            Route(channel, message, qos, packetId, stored);
        }
        finally
        {
            message.Release();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// v5 topic alias (section 3.3.2.3.4): a PUBLISH with a topic name sets the alias; one with
    /// an empty topic name uses it, and then gets a message with the topic filled in. Releases
    /// <paramref name="message"/> when it returns another one.
    /// </summary>
    private static MqttMessage ResolveTopicAlias(MqttChannel channel, MqttMessage message, in PublishView view)
    {
        var maximum = channel.Broker.Policy.TopicAliasMaximum;
        if (view.TopicAlias > maximum)
        {
            throw new MqttProtocolException(ReasonCode.TopicAliasInvalid, $"topic alias {view.TopicAlias} exceeds the topic alias maximum {maximum} (MQTT-3.3.2-9)");
        }

        var aliases = channel.InboundAliases ??= new TopicAliases.InboundTopicAliases(maximum);
        if (message.TopicLength > 0)
        {
            aliases.Set(view.TopicAlias, message.TopicUtf8);
            return message;
        }

        if (!aliases.TryGet(view.TopicAlias, out var topic))
        {
            throw new MqttProtocolException(ReasonCode.ProtocolError, $"topic alias {view.TopicAlias} used before it was set on this connection (MQTT-3.3.2-12)");
        }

        var resolved = channel.Broker.Messages.WithTopic(message, topic);
        message.Release();
        return resolved;
    }

    /// <summary>
    /// Policy, protocol and rate checks; false when the message is dropped without routing.
    /// <paramref name="throttle"/> is how long a 3.x client over its rate must wait.
    /// </summary>
    private static bool Admit(MqttChannel channel, MqttMessage message, in PublishView view, int packetSize, out TimeSpan throttle)
    {
        var policy = channel.Broker.Policy;
        throttle = TimeSpan.Zero;
        var limits = channel.Broker.Options.Limits;
        if ((limits.PublishRate > 0 || limits.ByteRate > 0) && !CheckRate(channel, in view, packetSize, out throttle))
        {
            return false;
        }
        if (message.TopicLength > policy.MaximumTopicLength || TopicLevels(message.TopicUtf8) > policy.MaximumTopicLevels)
        {
            return RefuseTopic(channel, in view, $"topic exceeds the limits of {policy.MaximumTopicLength} bytes and {policy.MaximumTopicLevels} levels");
        }

        if (view.QoS > policy.MaximumQoS)
        {
            throw new MqttProtocolException(ReasonCode.QoSNotSupported, $"QoS {(int)view.QoS} exceeds the maximum QoS {(int)policy.MaximumQoS} (MQTT-3.2.2-11)");
        }

        if (view.QoS == QualityOfService.ExactlyOnce)
        {
            switch (policy.Qos2Publish)
            {
                case Qos2PublishHandling.Disconnect:
                    throw new MqttProtocolException(ReasonCode.QoSNotSupported, "QoS 2 publications are not supported here");
                case Qos2PublishHandling.NoAcknowledgement:
                    return false;
            }
        }

        if (view.Retain && policy.Retain == RetainPolicy.Disconnect)
        {
            throw new MqttProtocolException(ReasonCode.RetainNotSupported, "retain is not available (MQTT-3.2.2-14)");
        }

        var session = channel.Session!;
        if (view.QoS == QualityOfService.ExactlyOnce)
        {
            // QoS 1 is acknowledged at once, so the client's unacknowledged publications are the
            // QoS 2 ones awaiting PUBREL; v5 bounds them by the announced Receive Maximum (section 4.9).
            var limit = channel.Version == MqttProtocolVersion.V500 ? policy.ReceiveMaximum : ushort.MaxValue;
            switch (session.BeginInboundQos2(view.PacketId, limit))
            {
                case InboundQos2Outcome.Duplicate:
                    // A resend of a QoS 2 message already received: acknowledge again, do not deliver twice (MQTT-4.3.3-10).
                    channel.Acknowledge(OutboundItem.ForAck(OutboundKind.PubRec, view.PacketId), 0);
                    return false;
                case InboundQos2Outcome.LimitExceeded:
                    throw new MqttProtocolException(ReasonCode.ReceiveMaximumExceeded, $"more than {limit} QoS 2 publications awaiting PUBREL (Receive Maximum)");
            }
        }

        message.Origin = session;
        channel.Broker.Metrics.MessageReceived(view.QoS, message.PayloadLength);
        return true;
    }

    /// <summary>
    /// Token buckets per client. v5 clients over the rate are told so in the acknowledgement
    /// (0x96 message rate too high, 0x97 quota exceeded for bytes) and the message is dropped;
    /// 3.x clients cannot be told, so they are slowed down instead: nothing they sent is lost.
    /// </summary>
    private static bool CheckRate(MqttChannel channel, in PublishView view, int packetSize, out TimeSpan throttle)
    {
        throttle = TimeSpan.Zero;
        var limits = channel.Broker.Options.Limits;
        var clock = channel.Broker.Clock;
        var now = clock.Now;
        var v5 = channel.Version == MqttProtocolVersion.V500;
        if (limits.PublishRate > 0)
        {
            var bucket = channel.PublishBucket ??= new Limits.TokenBucket(limits.PublishRate, limits.PublishBurst > 0 ? limits.PublishBurst : limits.PublishRate, now, clock.TimeProvider.TimestampFrequency);
            if (v5)
            {
                if (!bucket.TryTake(1, now))
                {
                    return RejectForRate(channel, in view, ReasonCode.MessageRateTooHigh);
                }
            }
            else
            {
                throttle = bucket.TakeOrOwe(1, now);
            }
        }

        if (limits.ByteRate > 0)
        {
            var bucket = channel.ByteBucket ??= new Limits.TokenBucket(limits.ByteRate, limits.ByteBurst > 0 ? limits.ByteBurst : limits.ByteRate, now, clock.TimeProvider.TimestampFrequency);
            if (v5)
            {
                if (!bucket.TryTake(packetSize, now))
                {
                    return RejectForRate(channel, in view, ReasonCode.QuotaExceeded);
                }
            }
            else
            {
                var wait = bucket.TakeOrOwe(packetSize, now);
                throttle = wait > throttle ? wait : throttle;
            }
        }

        return true;
    }

    private static bool RejectForRate(MqttChannel channel, in PublishView view, ReasonCode code)
    {
        channel.Broker.Metrics.MessageDropped(DropReasons.RateLimited);
        Acknowledge(channel, view.QoS, view.PacketId, code);
        return false;
    }

    private static async ValueTask RouteLaterAsync(MqttChannel channel, MqttMessage message, QualityOfService qos, ushort packetId, TimeSpan delay, long stored)
    {
        try
        {
            // The read loop awaits this, so the client's socket is not read meanwhile: TCP slows it down.
            await Task.Delay(delay, channel.Broker.Clock.TimeProvider).ConfigureAwait(false);
        }
        catch
        {
            message.Release();
            throw;
        }

        await Dispatch(channel, message, qos, packetId, stored).ConfigureAwait(false);
    }

    private static int TopicLevels(ReadOnlySpan<byte> topic) => topic.Count((byte)'/') + 1;

    /// <summary>
    /// A topic the server will not take: v5 says so in the acknowledgement (0x90) and drops the
    /// message (QoS 0 is dropped silently); 3.x has no way to say it, and acknowledging would
    /// claim a delivery that never happens, so the connection is closed.
    /// </summary>
    private static bool RefuseTopic(MqttChannel channel, in PublishView view, string reason)
    {
        if (channel.Version != MqttProtocolVersion.V500)
        {
            throw new MqttProtocolException(ReasonCode.TopicNameInvalid, reason);
        }

        Acknowledge(channel, view.QoS, view.PacketId, ReasonCode.TopicNameInvalid);
        return false;
    }

    private static void Route(MqttChannel channel, MqttMessage message, QualityOfService qos, ushort packetId, long stored)
    {
        FlowGate.BeginRoute();
        StoreJournal.BeginTracking();
        var matched = channel.Broker.Router.Publish(message);
        var routed = StoreJournal.TakeWritten();
        channel.Backpressure = FlowGate.EndRoute(channel.Outbox.Flow);
        Acknowledge(channel, qos, packetId, matched == 0 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success, Math.Max(stored, routed));
    }

    private static async ValueTask RouteWithExtensionsAsync(MqttChannel channel, MqttMessage message, QualityOfService qos, ushort packetId, long stored)
    {
        var broker = channel.Broker;
        try
        {
            if (broker.Authorizer is { } authorizer
                && !await authorizer.AuthorizeAsync(channel.Principal!, MqttAction.Publish, message.Topic, CancellationToken.None).ConfigureAwait(false))
            {
                // Not authorized: v5 says so in the acknowledgement; QoS 0 and 3.x have no way to say it, so the message is dropped.
                if (qos == QualityOfService.ExactlyOnce)
                {
                    channel.Session!.CompleteInboundQos2(packetId);
                }

                Acknowledge(channel, qos, packetId, ReasonCode.NotAuthorized);
                return;
            }

            foreach (var sink in broker.Sinks)
            {
                await sink.OnPublishedAsync(channel.Principal, message, CancellationToken.None).ConfigureAwait(false);
            }

            Route(channel, message, qos, packetId, stored);
        }
        finally
        {
            message.Release();
        }
    }

    private static void Acknowledge(MqttChannel channel, QualityOfService qos, ushort packetId, ReasonCode code, long stored = 0)
    {
        if (qos == QualityOfService.AtMostOnce)
        {
            return;
        }

        if (channel.Version != MqttProtocolVersion.V500)
        {
            code = ReasonCode.Success;
        }

        channel.Acknowledge(OutboundItem.ForAck(qos == QualityOfService.AtLeastOnce ? OutboundKind.PubAck : OutboundKind.PubRec, packetId, code), stored);
    }
}
