namespace Manta.Broker.Policy;

/// <summary>What a QoS 2 PUBLISH from a client gets.</summary>
public enum Qos2PublishHandling
{
    /// <summary>The MQTT standard: the exactly-once flow.</summary>
    Accept,

    /// <summary>Close the connection (Azure IoT Hub does this).</summary>
    Disconnect,

    /// <summary>Drop the message and send no acknowledgement (AWS IoT Core does this).</summary>
    NoAcknowledgement,
}
