using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Durability;

/// <summary>
/// Durability "periodic": acknowledgements do not wait for a commit, and the store flushes every
/// FlushInterval. Queued messages survive a graceful stop, and a <c>kill -9</c> that comes after a
/// flush interval has passed.
/// </summary>
public sealed class PeriodicDurabilityTests
{
    private const int K = 20;

    [Theory]
    [InlineData("sigterm")]
    [InlineData("kill-9-after-a-flush")]
    public async Task Periodic_durability_keeps_queued_messages_across_a_restart(string stop)
    {
        await using var manta = await DurableManta.StartAsync("--Manta:Storage:Durability=Periodic", "--Manta:Storage:FlushInterval=00:00:00.100");
        var topic = Timeouts.Topic("durable-periodic");
        var id = Timeouts.ClientId("dpe");
        await using (var subscriber = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V311, id, Deliveries.Persistent))
        {
            await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V311))
        {
            for (var i = 0; i < K; i++)
            {
                await publisher.PublishAsync(topic, Deliveries.Payload(i), MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }

        if (stop == "sigterm")
        {
            await manta.StopAsync();
        }
        else
        {
            // Five flush intervals.
            await Task.Delay(500);
            await manta.KillAsync();
        }

        Assert.True(File.Exists(manta.DatabasePath), $"no database at {manta.DatabasePath}");
        await manta.StartAgainAsync();
        await using var again = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V311, id, Deliveries.Persistent);
        Assert.True(again.ConnectResult.IsSessionPresent, $"the persistent session did not survive the restart.\n{manta.Describe()}");
        var received = await Deliveries.ReceiveAsync(again, K);
        var expected = Enumerable.Range(0, K).ToList();
        Assert.True(received.SequenceEqual(expected), Deliveries.Explain(expected, received));
        await again.ExpectNothingAsync();
    }
}
