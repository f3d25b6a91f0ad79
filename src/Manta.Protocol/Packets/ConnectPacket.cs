using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>CONNECT (section 3.1).</summary>
public sealed class ConnectPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.Connect;

    /// <summary><c>MQTT</c>, or <c>MQIsdp</c> for 3.1.</summary>
    public string ProtocolName { get; set; } = "MQTT";

    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V311;

    /// <summary>Clean Session (3.x) or Clean Start (5.0).</summary>
    public bool CleanStart { get; set; } = true;

    public ushort KeepAliveSeconds { get; set; }

    public string ClientId { get; set; } = string.Empty;

    public string? UserName { get; set; }

    public byte[]? Password { get; set; }

    public WillMessage? Will { get; set; }

    public MqttProperties? Properties { get; set; }
}
