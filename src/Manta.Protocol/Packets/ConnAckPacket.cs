using Manta.Protocol.Properties;

namespace Manta.Protocol.Packets;

/// <summary>CONNACK (section 3.2). For 3.x the reason code is written as its return code.</summary>
public sealed class ConnAckPacket : MqttPacket
{
    /// <inheritdoc />
    public override MqttPacketType Type => MqttPacketType.ConnAck;

    public bool SessionPresent { get; set; }

    /// <summary>v5 reason code; 3.x encodes <see cref="ConnectReturnCodes.FromReasonCode"/> of it.</summary>
    public ReasonCode ReasonCode { get; set; }

    public MqttProperties? Properties { get; set; }
}
