using Manta.Broker.Messages;
using Manta.Protocol;

namespace Manta.Broker.Sessions;

/// <summary>A delivery waiting for the inflight window or for the client to come back; owns one message reference.</summary>
internal readonly record struct PendingDelivery(MqttMessage Message, QualityOfService QoS, bool Retain, uint[]? SubscriptionIdentifiers);
