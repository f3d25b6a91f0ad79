using System.Buffers;
using System.Buffers.Binary;
using Manta.Protocol;

namespace Manta.Broker.Channel;

/// <summary>
/// Reads just the protocol level of a CONNECT that failed to decode, so the refusal can be a v5
/// CONNACK with a reason code when the client speaks v5 (MQTT-4.13.1-1 permits it).
/// </summary>
internal static class ConnectVersionSniffer
{
    // 2-byte name length + "MQTT" + level: enough for every valid protocol name.
    private const int Needed = 2 + 6 + 1;

    public static MqttProtocolVersion Sniff(ReadOnlySequence<byte> body)
    {
        Span<byte> head = stackalloc byte[Needed];
        var length = (int)Math.Min(body.Length, Needed);
        body.Slice(0, length).CopyTo(head);
        head = head[..length];
        if (head.Length < 2)
        {
            return MqttProtocolVersion.Unknown;
        }

        var nameLength = BinaryPrimitives.ReadUInt16BigEndian(head);
        if (nameLength is not (4 or 6) || head.Length < 2 + nameLength + 1)
        {
            return MqttProtocolVersion.Unknown;
        }

        // Another protocol's CONNECT is not answered in MQTT terms (MQTT-3.1.2-1).
        var name = head.Slice(2, nameLength);
        if (!name.SequenceEqual("MQTT"u8) && !name.SequenceEqual("MQIsdp"u8))
        {
            return MqttProtocolVersion.Unknown;
        }

        return head[2 + nameLength] switch
        {
            3 => MqttProtocolVersion.V310,
            4 => MqttProtocolVersion.V311,
            5 => MqttProtocolVersion.V500,
            _ => MqttProtocolVersion.Unknown,
        };
    }
}
