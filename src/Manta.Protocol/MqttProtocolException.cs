namespace Manta.Protocol;

/// <summary>
/// Thrown by the decoder for input the specification forbids. <see cref="ReasonCode"/> is what a
/// v5 peer is told (0x81 malformed, 0x82 protocol error, 0x95 packet too large, ...); a 3.x peer
/// is disconnected.
/// </summary>
public sealed class MqttProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MqttProtocolException(ReasonCode reasonCode, string message)
        : base(message)
    {
        ReasonCode = reasonCode;
    }

    /// <summary>Creates the exception.</summary>
    public MqttProtocolException()
        : this(ReasonCode.MalformedPacket, "Malformed packet")
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttProtocolException(string message)
        : this(ReasonCode.MalformedPacket, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ReasonCode = ReasonCode.MalformedPacket;
    }

    /// <summary>The v5 reason code the specification prescribes for this error.</summary>
    public ReasonCode ReasonCode { get; }
}
