namespace Manta.Broker.Policy;

/// <summary>What a PUBLISH with the retain flag gets.</summary>
public enum RetainPolicy
{
    /// <summary>The MQTT standard: store it as the topic's retained message.</summary>
    Store,

    /// <summary>Retain is not available: v5 DISCONNECT 0x9A, 3.x close.</summary>
    Disconnect,

    /// <summary>
    /// Deliver without storing, with the retain flag cleared and a user property
    /// (<see cref="BrokerPolicy.RetainPropertyName"/> = "true") added (Azure IoT Hub's mqtt-retain).
    /// </summary>
    PassOnAsProperty,
}
