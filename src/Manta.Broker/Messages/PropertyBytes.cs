using System.Buffers.Binary;
using System.Text;
using Manta.Protocol.Properties;

namespace Manta.Broker.Messages;

/// <summary>Encodes single v5 properties in wire form, for properties the broker adds to a message.</summary>
internal static class PropertyBytes
{
    /// <summary>0x26, name as MQTT string, value as MQTT string.</summary>
    public static byte[] UserProperty(string name, string value)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var valueBytes = Encoding.UTF8.GetBytes(value);
        var result = new byte[1 + 2 + nameBytes.Length + 2 + valueBytes.Length];
        result[0] = (byte)PropertyId.UserProperty;
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(1), (ushort)nameBytes.Length);
        nameBytes.CopyTo(result.AsSpan(3));
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(3 + nameBytes.Length), (ushort)valueBytes.Length);
        valueBytes.CopyTo(result.AsSpan(5 + nameBytes.Length));
        return result;
    }
}
