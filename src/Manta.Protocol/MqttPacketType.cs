namespace Manta.Protocol;

/// <summary>The control packet type in the upper four bits of the fixed header.</summary>
public enum MqttPacketType : byte
{
    /// <summary>Type 0 is reserved; receiving it is a malformed packet.</summary>
    Reserved = 0,
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,

    /// <summary>MQTT 5 only.</summary>
    Auth = 15,
}
