namespace Manta.Broker.Policy;

/// <summary>What a session does when its queue is at <see cref="BrokerPolicy.MaximumQueuedMessages"/> or <see cref="BrokerPolicy.MaximumQueuedBytes"/>.</summary>
public enum QueueOverflowPolicy
{
    /// <summary>
    /// Drop queued QoS 0 messages, oldest first; when none is left and the client is connected,
    /// disconnect it as a slow consumer (v5 DISCONNECT 0x97) and drop the new message. Default.
    /// </summary>
    DropQos0ThenDisconnect,

    /// <summary>Drop the oldest queued message, whatever its QoS.</summary>
    DropOldest,

    /// <summary>Drop the new message (Mosquitto's behaviour).</summary>
    DropNew,
}
