namespace Manta.Broker.Channel;

/// <summary>Where a connection is in its MQTT life.</summary>
public enum ChannelState
{
    /// <summary>Waiting for CONNECT; nothing else is accepted (MQTT-3.1.0-1).</summary>
    AwaitingConnect,

    /// <summary>CONNACK sent with success.</summary>
    Connected,

    /// <summary>Closing: nothing more is read.</summary>
    Closed,
}
