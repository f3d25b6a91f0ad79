namespace Manta.Broker.Policy;

/// <summary>How the QoS of a delivery is chosen.</summary>
public enum SubscriptionQosMode
{
    /// <summary>The MQTT standard: the lower of the publication's and the subscription's QoS.</summary>
    Downgrade,

    /// <summary>The publication's QoS, whatever the subscription asked for (Aliyun IoT does this).</summary>
    PublisherWins,
}
