namespace Manta.Broker.Extensibility;

/// <summary>What a client asks to do with a topic.</summary>
public enum MqttAction
{
    /// <summary>Publish to a topic name.</summary>
    Publish,

    /// <summary>Subscribe to a topic filter.</summary>
    Subscribe,
}
