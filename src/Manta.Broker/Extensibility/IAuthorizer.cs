namespace Manta.Broker.Extensibility;

/// <summary>Allows or denies a principal an action on a topic. Without one, everything is allowed.</summary>
public interface IAuthorizer
{
    /// <summary>True to allow.</summary>
    ValueTask<bool> AuthorizeAsync(ClientPrincipal principal, MqttAction action, string topic, CancellationToken cancellationToken);
}
