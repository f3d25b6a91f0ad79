using System.Text.Json;
using Manta.Protocol.Packets;

namespace Manta.Protocol.Tests.Support;

/// <summary>A canonical text form of a packet, so equality failures show every field.</summary>
internal static class PacketDump
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string Describe(MqttPacket packet) => JsonSerializer.Serialize(packet, packet.GetType(), Options);
}
