using Manta.Broker.Messages;
using Manta.Broker.Policy;
using Manta.Broker.Subscriptions;

namespace Manta.Broker.Routing;

/// <summary>Hands a message to one member of a shared subscription group: the router's path, and the registry's when a member's session ends with messages of the group.</summary>
internal static class SharedDispatch
{
    /// <summary>Picks a member by the policy's strategy and delivers at that member's granted QoS (MQTT-4.8.2-3); false when the group has no member.</summary>
    public static bool Deliver(BrokerPolicy policy, SharedGroup group, MqttMessage message, ReadOnlySpan<char> topic)
    {
        var member = group.Pick(policy.SharedSubscriptionStrategy, message, topic);
        if (member is null)
        {
            return false;
        }

        var qos = Router.DeliveryQos(policy, message.QoS, member.MaximumQoS);
        var retain = member.RetainAsPublished && message.Retain;
        member.Session.Deliver(message, qos, retain, member.Identifier == 0 ? null : member.Identifiers, group);
        return true;
    }
}
