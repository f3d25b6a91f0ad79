using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>The default strategy (as EMQX's): members of a group in turn, each message to exactly one of them (MQTT 5 section 4.8.2).</summary>
public sealed class RoundRobinTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Round_robin_spreads_messages_evenly_across_three_members(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var members = new List<PipeClient>();
        for (var i = 0; i < 3; i++)
        {
            var member = await broker.ConnectAsync($"worker{i}", version);
            await member.SubscribeAsync("$share/workers/jobs/+");
            members.Add(member);
        }

        await using var publisher = await broker.ConnectAsync("pub", version);
        await SharedDrain.PublishAsync(publisher, "jobs/a", 30);

        var all = new List<string>();
        foreach (var member in members)
        {
            var got = await SharedDrain.PayloadsAsync(member);
            Assert.Equal(10, got.Count);
            all.AddRange(got);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m{i}").Order(), all.Order());
        foreach (var member in members)
        {
            await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task Qos1_messages_go_to_one_member_each_at_the_members_granted_qos_MQTT_4_8_2_3()
    {
        await using var broker = new TestBroker();
        await using var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.AtMostOnce);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        for (ushort i = 1; i <= 4; i++)
        {
            Assert.Equal(ReasonCode.Success, await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, packetId: i));
        }

        var toA = await a.ReceiveDeliveriesAsync(2);
        var toB = await b.ReceiveDeliveriesAsync(2);
        Assert.All(toA, p => Assert.Equal(QualityOfService.AtLeastOnce, p.QoS));
        Assert.All(toB, p => Assert.Equal(QualityOfService.AtMostOnce, p.QoS));
        await a.ExpectNothingAsync();
        await b.ExpectNothingAsync();
    }
}
