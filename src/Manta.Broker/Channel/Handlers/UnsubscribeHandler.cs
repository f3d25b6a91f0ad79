using Manta.Broker.Subscriptions;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Channel.Handlers;

/// <summary>
/// UNSUBSCRIBE (section 3.10): remove each filter, answer UNSUBACK (v5: a reason code per filter).
/// A shared subscription leaves its group; <c>$queue/f</c> and <c>$share/$queue/f</c> name the same one.
/// </summary>
internal static class UnsubscribeHandler
{
    public static void Handle(MqttChannel channel, UnsubscribePacket packet)
    {
        var broker = channel.Broker;
        var session = channel.Session!;
        var codes = new List<ReasonCode>(packet.TopicFilters.Count);
        foreach (var filter in packet.TopicFilters)
        {
            var old = session.RemoveSubscription(SharedSubscriptionFilter.Normalize(filter));
            if (old is not null)
            {
                broker.Index.Remove(old);
                codes.Add(ReasonCode.Success);
            }
            else
            {
                codes.Add(ReasonCode.NoSubscriptionExisted);
            }
        }

        channel.Send(new UnsubAckPacket { PacketId = packet.PacketId, ReasonCodes = codes });
    }
}
