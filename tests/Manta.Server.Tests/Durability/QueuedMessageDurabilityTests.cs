using System.Diagnostics;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Manta.Server.Tests.Durability;

/// <summary>
/// QoS 1 messages for persistent sessions survive <c>kill -9</c> of the real manta process
/// (durability "sync", the default): every acknowledged message arrives after the restart, in
/// order, and nothing the subscriber had acknowledged comes again.
/// </summary>
public sealed class QueuedMessageDurabilityTests(ITestOutputHelper output)
{
    private const int K = 200;

    /// <summary>Messages the connected subscriber reads and acknowledges before the kill.</summary>
    private const int AckedBeforeKill = 50;

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Acknowledged_qos1_messages_queued_for_an_offline_persistent_session_survive_kill_9(MqttProtocolVersion version)
    {
        await using var manta = await DurableManta.StartAsync();
        var topic = Timeouts.Topic("durable-offline");
        var id = Timeouts.ClientId("dof");
        await using (var subscriber = await NetClient.ConnectAsync(manta.Host, manta.Port, version, id, Deliveries.Persistent))
        {
            Assert.False(subscriber.ConnectResult.IsSessionPresent);
            await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var clock = Stopwatch.StartNew();
        await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, version))
        {
            for (var i = 0; i < K; i++)
            {
                var result = await publisher.PublishAsync(topic, Deliveries.Payload(i), MqttQualityOfServiceLevel.AtLeastOnce);
                Assert.True(result.IsSuccess, $"publish {i} refused: {result.ReasonCode}");
            }

            output.WriteLine($"{K} QoS 1 publishes acknowledged in {clock.ElapsedMilliseconds} ms");

            // Right after the last PUBACK: with durability "sync" an acknowledged message is committed.
            await manta.KillAndRestartAsync();
        }

        await using var again = await NetClient.ConnectAsync(manta.Host, manta.Port, version, id, Deliveries.Persistent);
        Assert.True(again.ConnectResult.IsSessionPresent, $"the persistent session did not survive kill -9.\n{manta.Describe()}");
        var received = await Deliveries.ReceiveAsync(again, K);
        var expected = Enumerable.Range(0, K).ToList();
        Assert.True(received.SequenceEqual(expected), Deliveries.Explain(expected, received));
        await again.ExpectNothingAsync();
    }

    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Qos1_deliveries_to_a_connected_persistent_subscriber_resume_after_kill_9_without_loss_or_acknowledged_repeats(byte level)
    {
        // At most 10 deliveries unacknowledged per session, so most of the K are still queued at the kill.
        await using var manta = await DurableManta.StartAsync("--Manta:Broker:Policy:MaximumInflightMessages=10");
        var topic = Timeouts.Topic("durable-online");
        var id = Timeouts.ClientId("don");
        var acknowledged = new List<int>();
        var (subscriber, present) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, id, cleanStart: false, sessionExpiry: 3600);
        try
        {
            Assert.False(present);
            await subscriber.SubscribeAsync(topic, qos: 1);
            await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, Deliveries.MqttNetVersion(level)))
            {
                for (var i = 0; i < K; i++)
                {
                    var result = await publisher.PublishAsync(topic, Deliveries.Payload(i), MqttQualityOfServiceLevel.AtLeastOnce);
                    Assert.True(result.IsSuccess, $"publish {i} refused: {result.ReasonCode}");
                }
            }

            // Read and acknowledge the first ones; the next ten are in flight (sent, not acknowledged), the rest queued.
            while (acknowledged.Count < AckedBeforeKill)
            {
                var publish = await subscriber.NextPublishAsync();
                acknowledged.Add(Deliveries.Index(publish.PayloadText));
                await subscriber.PubAckAsync(publish.PacketId);
            }

            var expectedBefore = Enumerable.Range(0, AckedBeforeKill).ToList();
            Assert.True(acknowledged.SequenceEqual(expectedBefore), "before the kill: " + Deliveries.Explain(expectedBefore, acknowledged));

            // Time for the broker to take the acknowledgements and commit them.
            await Task.Delay(1000);
            await manta.KillAndRestartAsync();
        }
        finally
        {
            await subscriber.DisposeAsync();
        }

        var (again, presentAgain) = await WireClient.ConnectAsync(manta.Host, manta.Port, level, id, cleanStart: false, sessionExpiry: 3600);
        await using (again)
        {
            Assert.True(presentAgain, $"the persistent session did not survive kill -9.\n{manta.Describe()}");
            var received = new List<int>();
            var repeatedWithDup = 0;
            while (received.Count < K - AckedBeforeKill && await again.NextOrNullAsync(Timeouts.Expect) is { } packet)
            {
                Assert.True(packet.Type == WirePacket.Publish, $"expected PUBLISH, got {packet}");
                var publish = again.ParsePublish(packet);
                received.Add(Deliveries.Index(publish.PayloadText));
                repeatedWithDup += publish.Dup ? 1 : 0;
                await again.PubAckAsync(publish.PacketId);
            }

            // Anything beyond the K is a repeat.
            while (await again.NextOrNullAsync(Timeouts.Absence) is { Type: WirePacket.Publish } extra)
            {
                received.Add(Deliveries.Index(again.ParsePublish(extra).PayloadText));
            }

            // Every message not acknowledged before the kill, once, in order; none of those acknowledged.
            output.WriteLine($"after the restart: {received.Count} deliveries, {repeatedWithDup} with DUP");
            var expected = Enumerable.Range(AckedBeforeKill, K - AckedBeforeKill).ToList();
            Assert.True(received.SequenceEqual(expected), "after the restart: " + Deliveries.Explain(expected, received));
        }
    }
}
