namespace Manta.Protocol;

/// <summary>MQTT delivery guarantee.</summary>
public enum QualityOfService : byte
{
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
}
