using Manta.Broker.Messages;
using Manta.Protocol;

namespace Manta.Broker.Sessions;

/// <summary>An outbound QoS 1/2 message that has a packet identifier and awaits acknowledgement; owns one message reference until PUBACK/PUBREC.</summary>
internal struct InflightEntry
{
    public MqttMessage? Message;
    public QualityOfService QoS;
    public bool Retain;
    public InflightState State;
    public uint[]? SubscriptionIdentifiers;

    /// <summary>Send order, so a resumed session resends in the original order.</summary>
    public long Sequence;

    /// <summary>Durable delivery id; 0 when the session is not stored.</summary>
    public long DeliveryId;
}
