using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.KeepAlive;

/// <summary>Keep-alive (3.1.2.10): the server closes a connection silent for one and a half keep-alive periods (MQTT-3.1.2-24).</summary>
public sealed class KeepAliveTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V310)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Silent_3x_client_is_closed_after_one_and_a_half_keep_alives_MQTT_3_1_2_24(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 10);

        broker.Advance(TimeSpan.FromSeconds(14));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        Assert.False(client.Connection.IsCompleted);

        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await client.ReceiveRawAsync());
    }

    [Fact]
    public async Task Silent_v5_client_gets_disconnect_0x8D_after_one_and_a_half_keep_alives_MQTT_3_1_2_24()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500, keepAlive: 10);

        broker.Advance(TimeSpan.FromSeconds(14));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));

        broker.Advance(TimeSpan.FromSeconds(2));
        var disconnect = await client.ReceiveAsync<DisconnectPacket>();
        Assert.Equal(ReasonCode.KeepAliveTimeout, disconnect.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Pingreq_gets_pingresp_MQTT_3_12_4_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 10);
        await client.SendRawAsync(0xC0, 0x00);
        Assert.Equal(new byte[] { 0xD0, 0x00 }, await client.ReceiveRawAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Pingreq_resets_the_keep_alive_timer(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 10);
        for (var i = 0; i < 4; i++)
        {
            broker.Advance(TimeSpan.FromSeconds(12));
            await client.PingAsync();
        }

        broker.Advance(TimeSpan.FromSeconds(14));
        await client.PingAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Any_packet_resets_the_keep_alive_timer(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 10);

        broker.Advance(TimeSpan.FromSeconds(12));
        await client.SubscribeAsync("t", packetId: 1);
        broker.Advance(TimeSpan.FromSeconds(12));
        var expected = version == MqttProtocolVersion.V500 ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success;
        Assert.Equal(expected, await client.PublishAndAckAsync("other", "x", QualityOfService.AtLeastOnce, 2));
        broker.Advance(TimeSpan.FromSeconds(12));
        await client.UnsubscribeAsync("t", 3);
        broker.Advance(TimeSpan.FromSeconds(12));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(50));
        Assert.False(client.Connection.IsCompleted);

        // And silence after the last packet still ends it.
        broker.Advance(TimeSpan.FromSeconds(4));
        await client.ExpectClosedAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Keep_alive_0_never_times_out_MQTT_3_1_2_23(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", version, keepAlive: 0);
        broker.Advance(TimeSpan.FromHours(1));
        broker.Advance(TimeSpan.FromDays(3));
        await client.PingAsync();
    }

    [Fact]
    public async Task V5_connack_has_no_server_keep_alive_when_the_clients_value_is_kept()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c", keepAlive: 60);
        Assert.Null(ack.Properties?.ServerKeepAlive);
    }
}
