using System.Diagnostics.CodeAnalysis;

namespace Manta.Protocol.Codec;

/// <summary>
/// Throw helpers, kept out of line so the hot parsing methods stay small enough to inline and
/// the exceptional path costs nothing until it is taken.
/// </summary>
internal static class MqttThrow
{
    [DoesNotReturn]
    public static void Malformed(string message)
        => throw new MqttProtocolException(ReasonCode.MalformedPacket, message);

    [DoesNotReturn]
    public static void ProtocolError(string message)
        => throw new MqttProtocolException(ReasonCode.ProtocolError, message);

    [DoesNotReturn]
    public static void Error(ReasonCode code, string message)
        => throw new MqttProtocolException(code, message);

    [DoesNotReturn]
    public static T Malformed<T>(string message)
        => throw new MqttProtocolException(ReasonCode.MalformedPacket, message);
}
