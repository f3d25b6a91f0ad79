using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Connect;

/// <summary>MQTT-3.1.0-2: a second CONNECT on a connection is a protocol violation.</summary>
public sealed class SecondConnectTests
{
    [Fact]
    public async Task Second_connect_is_a_protocol_error_with_disconnect_0x82_MQTT_3_1_0_2()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendAsync(new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c" });
        var packet = await client.ReceiveAsync();
        var disconnect = Assert.IsType<DisconnectPacket>(packet);
        Assert.Equal(ReasonCode.ProtocolError, disconnect.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Second_connect_closes_a_3x_connection_without_a_reply_MQTT_3_1_0_2(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version);
        await client.SendAsync(new ConnectPacket { ProtocolName = version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT", ProtocolVersion = version, ClientId = "c" });
        Assert.Null(await client.ReceiveRawAsync());
    }
}
