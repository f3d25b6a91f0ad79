using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Protocol;

public sealed class KeepAliveTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Silent_client_is_closed_after_one_and_a_half_keep_alives_and_its_will_published_MQTT_3_1_2_24(byte level)
    {
        var willTopic = Timeouts.Topic("keepalive");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(RawClient.Connect(level, Timeouts.ClientId("ka"), keepAlive: 1, willTopic: willTopic, willPayload: "timed out"));
        Assert.Equal(0x20, (await raw.ReadPacketAsync())?.Header ?? -1);
        var started = DateTime.UtcNow;

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets, TimeSpan.FromSeconds(6)), "a client silent for 6 keep-alive periods is still connected");
        var elapsed = DateTime.UtcNow - started;

        // 1.5 x 1 s, plus up to one 1 s heartbeat; not before the 1.5 s.
        Assert.InRange(elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(4));
        if (level == 5)
        {
            var disconnect = Assert.Single(packets);
            Assert.Equal((0xE0, 0x8D), (disconnect.Header, disconnect.Body[0])); // Keep Alive timeout
        }

        Assert.Equal("timed out", (await watcher.NextAsync()).PayloadText);
    }

    [Fact]
    public async Task Pingreq_keeps_a_client_alive_MQTT_3_12_4_1()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(RawClient.Connect(4, Timeouts.ClientId("ping"), keepAlive: 1));
        Assert.Equal(0x20, (await raw.ReadPacketAsync())?.Header ?? -1);

        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(500);
            await raw.SendAsync(0xC0, 0x00);
            var pingResp = await raw.ReadPacketAsync(TimeSpan.FromSeconds(3));
            Assert.True(pingResp is not null, $"closed after {i} PINGREQs although the client kept alive");
            Assert.Equal(0xD0, pingResp.Value.Header);
        }
    }
}
