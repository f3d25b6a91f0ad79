using Manta.Broker.Messages;

namespace Manta.Broker.Extensibility;

/// <summary>Sees every accepted publication before it is routed (routing to backends, dialect services).</summary>
public interface IMessageSink
{
    /// <summary>
    /// Called once per accepted PUBLISH, in registration order. The message is valid only during
    /// the call; take a reference (<see cref="MqttMessage.AddReference"/>) to keep it.
    /// </summary>
    ValueTask OnPublishedAsync(ClientPrincipal? publisher, MqttMessage message, CancellationToken cancellationToken);
}
