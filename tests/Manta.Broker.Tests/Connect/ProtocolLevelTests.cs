using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.Connect;

/// <summary>Protocol name and level (MQTT-3.1.2-1, MQTT-3.1.2-2).</summary>
public sealed class ProtocolLevelTests
{
    [Theory]
    [InlineData(6)]
    [InlineData(2)]
    [InlineData(255)]
    public async Task Unsupported_level_gets_connack_return_code_1_in_311_form_then_close_MQTT_3_1_2_2(byte level)
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.Unknown);
        await client.SendRawAsync(Bytes.Connect("MQTT", level, "c"));
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x01 }, await client.ReceiveRawAsync());
        Assert.Null(await client.ReceiveRawAsync());
        Assert.Equal(0, broker.Broker.Sessions.Count);
    }

    [Theory]
    [InlineData("MQTX", 4)]
    [InlineData("MQTX", 5)]
    [InlineData("MQIsdq", 3)]
    [InlineData("HTTP/1.1", 4)]
    public async Task Unknown_protocol_name_closes_without_connack_MQTT_3_1_2_1(string name, byte level)
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.Unknown);
        await client.SendRawAsync(Bytes.Connect(name, level, "c"));
        Assert.Null(await client.ReceiveRawAsync());
        Assert.Equal(0, broker.Broker.Sessions.Count);
    }

    [Theory]
    [InlineData("MQIsdp", 3)]
    [InlineData("MQTT", 4)]
    [InlineData("MQTT", 5)]
    public async Task Supported_name_and_level_are_accepted(string name, byte level)
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient((MqttProtocolVersion)level);
        await client.SendRawAsync(Bytes.Connect(name, level, "c"));
        var ack = await client.ReceiveRawAsync();
        Assert.NotNull(ack);
        Assert.Equal(0x20, ack[0]);
        Assert.Equal(0x00, ack[2]);
        Assert.Equal(0x00, ack[3]);
    }
}
