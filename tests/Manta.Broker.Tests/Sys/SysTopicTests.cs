using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Sys;

/// <summary>$SYS/broker/... topics, published retained every SysInterval, as Mosquitto does.</summary>
public sealed class SysTopicTests
{
    [Fact]
    public async Task Sys_topics_report_clients_messages_and_subscriptions_every_interval()
    {
        await using var broker = new TestBroker(configure: o => o.SysInterval = TimeSpan.FromSeconds(10));
        await using var watcher = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync("$SYS/broker/#");
        await using var publisher = await broker.ConnectAsync("publisher");
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync("data/x", "x");
        }

        await publisher.SendAsync(new PingReqPacket());
        await publisher.ReceiveAsync<PingRespPacket>();

        broker.Advance(TimeSpan.FromSeconds(10));
        var values = await ReadSysAsync(watcher);

        Assert.Equal("2", values["$SYS/broker/clients/connected"]);
        Assert.Equal("2", values["$SYS/broker/clients/total"]);
        Assert.Equal("3", values["$SYS/broker/publish/messages/received"]);
        Assert.Equal("1", values["$SYS/broker/subscriptions/count"]);
        Assert.StartsWith("manta ", values["$SYS/broker/version"], StringComparison.Ordinal);
        Assert.EndsWith(" seconds", values["$SYS/broker/uptime"], StringComparison.Ordinal);
        Assert.True(long.Parse(values["$SYS/broker/bytes/received"], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Sys_topics_are_retained_and_not_matched_by_a_leading_wildcard_MQTT_4_7_2_1()
    {
        await using var broker = new TestBroker(configure: o => o.SysInterval = TimeSpan.FromSeconds(5));
        await using var everything = await broker.ConnectAsync("everything");
        await everything.SubscribeAsync("#");
        broker.Advance(TimeSpan.FromSeconds(5));
        await everything.ExpectNothingAsync();

        await using var late = await broker.ConnectAsync("late");
        await late.SubscribeAsync("$SYS/broker/version");
        var version = await late.ReceiveAsync<PublishPacket>();
        Assert.True(version.Retain);
    }

    [Fact]
    public async Task A_zero_interval_publishes_nothing()
    {
        await using var broker = new TestBroker(configure: o => o.SysInterval = TimeSpan.Zero);
        broker.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, broker.Broker.Retained.Count);
    }

    private static async Task<Dictionary<string, string>> ReadSysAsync(PipeClient client)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            try
            {
                var packet = await client.ReceiveAsync<PublishPacket>(TimeSpan.FromMilliseconds(500));
                values[packet.Topic] = Encoding.UTF8.GetString(packet.Payload.Span);
            }
            catch (TimeoutException)
            {
                return values;
            }
        }
    }
}
