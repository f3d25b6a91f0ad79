namespace Manta.Broker.Policy;

/// <summary>What happens when a client connects with the client id of a live connection.</summary>
public enum ClientIdConflictPolicy
{
    /// <summary>The MQTT standard: the new connection takes the session over and the old one is closed.</summary>
    TakeOver,

    /// <summary>The new connection is refused (CONNACK 0x02 / v5 0x85) and the old one stays.</summary>
    RejectNew,
}
