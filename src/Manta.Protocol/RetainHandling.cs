namespace Manta.Protocol;

/// <summary>MQTT 5 subscription option: when retained messages are sent for a new subscription.</summary>
public enum RetainHandling : byte
{
    /// <summary>Send retained messages at the time of the subscribe.</summary>
    SendAtSubscribe = 0,

    /// <summary>Send retained messages only if the subscription did not already exist.</summary>
    SendIfNewSubscription = 1,

    /// <summary>Never send retained messages for this subscription.</summary>
    DoNotSend = 2,
}
