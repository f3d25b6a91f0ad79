using System.Buffers;
using Manta.Protocol;
using Manta.Protocol.Codec;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Benchmarks;

/// <summary>
/// The packets the benchmarks feed the broker, built once with the project's own encoder so
/// the bytes are exactly what a conforming client sends.
/// </summary>
internal static class BenchmarkPackets
{
    /// <summary>A telemetry-sized payload: 64 bytes is a typical JSON reading of one sensor.</summary>
    public const int PayloadSize = 64;

    /// <summary>The topic every publish benchmark uses; three levels, like most IoT telemetry topics.</summary>
    public const string Topic = "devices/42/telemetry";

    /// <summary>The payload bytes (arbitrary, fixed so runs are comparable).</summary>
    public static byte[] Payload()
    {
        var payload = new byte[PayloadSize];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + (i % 26));
        }

        return payload;
    }

    /// <summary>A PUBLISH; the v5 variant carries one user property, the commonest v5 property in practice.</summary>
    public static PublishPacket Publish(MqttProtocolVersion version, QualityOfService qos, ushort packetId = 0) => new()
    {
        Topic = Topic,
        Payload = Payload(),
        QoS = qos,
        PacketId = packetId,
        Properties = version == MqttProtocolVersion.V500
            ? new MqttProperties { UserProperties = [new UserProperty("source", "bench")] }
            : null,
    };

    /// <summary>A CONNECT as a device sends it: client id, keep-alive, user name and password.</summary>
    public static ConnectPacket Connect(MqttProtocolVersion version, string clientId) => new()
    {
        ProtocolName = "MQTT",
        ProtocolVersion = version,
        CleanStart = true,
        KeepAliveSeconds = 60,
        ClientId = clientId,
        UserName = "device-user",
        Password = "device-secret"u8.ToArray(),
        Properties = version == MqttProtocolVersion.V500
            ? new MqttProperties { SessionExpiryInterval = 3600, ReceiveMaximum = 100 }
            : null,
    };

    /// <summary>A CONNECT with only a client id, for the end-to-end connections (no authenticator is registered).</summary>
    public static ConnectPacket PlainConnect(MqttProtocolVersion version, string clientId) => new()
    {
        ProtocolVersion = version,
        CleanStart = true,
        ClientId = clientId,
    };

    /// <summary>A SUBSCRIBE with one filter per entry of <paramref name="filters"/>, all at <paramref name="qos"/>.</summary>
    public static SubscribePacket Subscribe(ushort packetId, QualityOfService qos, params string[] filters)
    {
        var packet = new SubscribePacket { PacketId = packetId };
        foreach (var filter in filters)
        {
            packet.Subscriptions.Add(new TopicSubscription { TopicFilter = filter, MaximumQoS = qos });
        }

        return packet;
    }

    /// <summary>Encodes <paramref name="packet"/> into a new array.</summary>
    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        MqttPacketEncoder.Encode(packet, version, writer);
        return writer.WrittenSpan.ToArray();
    }
}
