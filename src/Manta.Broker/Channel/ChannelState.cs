namespace Manta.Broker.Channel;

/// <summary>Where a connection is in its MQTT life.</summary>
public enum ChannelState
{
    /// <summary>Waiting for CONNECT; nothing else is accepted (MQTT-3.1.0-1).</summary>
    AwaitingConnect,

    /// <summary>
    /// CONNECT carried an Authentication Method and its AUTH exchange is under way (section 4.12):
    /// only AUTH and DISCONNECT are accepted, the connect timeout still runs, nothing is connected yet.
    /// </summary>
    Authenticating,

    /// <summary>CONNACK sent with success.</summary>
    Connected,

    /// <summary>Closing: nothing more is read.</summary>
    Closed,
}
