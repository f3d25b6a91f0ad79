using System.Diagnostics;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace Manta.Server.Tests.Durability;

/// <summary>Retained messages, delayed wills and session expiry across <c>kill -9</c> of the real manta process.</summary>
public sealed class BrokerStateDurabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Retained_messages_and_a_retained_delete_survive_kill_9()
    {
        await using var manta = await DurableManta.StartAsync();
        var root = Timeouts.Topic("durable-retain");
        await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync($"{root}/kept", "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await publisher.PublishAsync($"{root}/deleted", "deleted later", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await manta.KillAndRestartAsync();
        }

        // Both retained messages came back.
        await using (var subscriber = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500))
        {
            await subscriber.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtLeastOnce);
            var both = new[] { await subscriber.NextAsync(), await subscriber.NextAsync() }.OrderBy(m => m.Topic, StringComparer.Ordinal).ToList();
            Assert.Equal(
                new[] { ($"{root}/deleted", "deleted later", true), ($"{root}/kept", "kept", true) },
                both.Select(m => (m.Topic, m.PayloadText, m.Retain)));
        }

        // An empty retained payload deletes it (MQTT-3.3.1-10); the delete survives the next kill.
        await using (var publisher = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync($"{root}/deleted", string.Empty, MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await manta.KillAndRestartAsync();
        }

        await using var late = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V311);
        await late.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var kept = await late.NextAsync();
        Assert.Equal(($"{root}/kept", "kept", true), (kept.Topic, kept.PayloadText, kept.Retain));
        await late.ExpectNothingAsync();
    }

    [Fact]
    public async Task A_delayed_will_survives_kill_9_and_is_published_once_its_delay_has_passed()
    {
        const uint WillDelaySeconds = 3;
        await using var manta = await DurableManta.StartAsync();
        var willTopic = Timeouts.Topic("durable-will");
        var watcherId = Timeouts.ClientId("dww");

        // The watcher's session is persistent too: a will published before it reconnects waits in its queue.
        static void Watcher(MqttClientOptionsBuilder o) => o.WithCleanStart(false).WithSessionExpiryInterval(60);
        var watcher = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500, watcherId, Watcher);
        Stopwatch dropped;
        try
        {
            await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
            var doomed = await NetClient.ConnectAsync(
                manta.Host,
                manta.Port,
                MqttProtocolVersion.V500,
                Timeouts.ClientId("dwd"),
                o => o.WithCleanStart(false)
                    .WithSessionExpiryInterval(60)
                    .WithWillTopic(willTopic)
                    .WithWillPayload("gone")
                    .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithWillDelayInterval(WillDelaySeconds));

            // Dispose without DisconnectAsync: the socket closes without DISCONNECT, so the will is armed.
            dropped = Stopwatch.StartNew();
            doomed.Client.Dispose();
            await Task.Delay(300);
            await manta.KillAsync();
            Assert.True(dropped.Elapsed < TimeSpan.FromSeconds(1.5), $"kill -9 came {dropped.ElapsedMilliseconds} ms after the drop");
        }
        finally
        {
            await watcher.DisposeAsync();
        }

        await manta.StartAgainAsync();
        await using var watcherAgain = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500, watcherId, Watcher);
        Assert.True(watcherAgain.ConnectResult.IsSessionPresent, $"the watcher's session did not survive kill -9.\n{manta.Describe()}");
        output.WriteLine($"restarted and reconnected {dropped.ElapsedMilliseconds} ms after the drop");

        var will = await watcherAgain.NextAsync(TimeSpan.FromSeconds(15));
        var elapsed = dropped.Elapsed;
        output.WriteLine($"will published {elapsed.TotalMilliseconds:0} ms after the drop");
        Assert.Equal((willTopic, "gone"), (will.Topic, will.PayloadText));
        Assert.True(elapsed >= TimeSpan.FromSeconds(WillDelaySeconds - 0.5), $"will published {elapsed.TotalMilliseconds:0} ms after the drop, before its {WillDelaySeconds} s delay");
        await watcherAgain.ExpectNothingAsync();
    }

    [Fact]
    public async Task A_session_that_expired_while_manta_was_down_is_gone_after_restart_and_an_unexpired_one_is_kept()
    {
        await using var manta = await DurableManta.StartAsync();
        var shortId = Timeouts.ClientId("dse");
        var longId = Timeouts.ClientId("dsl");
        var topic = Timeouts.Topic("durable-expiry");
        foreach (var (id, expiry) in new[] { (longId, 300u), (shortId, 2u) })
        {
            await using var client = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500, id, o => o.WithCleanStart(false).WithSessionExpiryInterval(expiry));
            await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Time for the broker to take the DISCONNECT and commit when it came (a session that was
        // connected at the crash counts its expiry from the restart), then kill -9 well before the
        // 2 s expiry: only the restarted manta can find it expired.
        var disconnected = Stopwatch.StartNew();
        await Task.Delay(500);
        await manta.KillAsync();
        Assert.True(disconnected.Elapsed < TimeSpan.FromSeconds(1.5), $"kill -9 came {disconnected.ElapsedMilliseconds} ms after the DISCONNECT");
        var wait = TimeSpan.FromSeconds(3) - disconnected.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await manta.StartAgainAsync();
        await using (var expired = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500, shortId, o => o.WithCleanStart(false).WithSessionExpiryInterval(2)))
        {
            Assert.False(expired.ConnectResult.IsSessionPresent, $"a session with Session Expiry Interval 2 s was present {disconnected.Elapsed.TotalSeconds:0.0} s after its DISCONNECT");
        }

        await using var kept = await NetClient.ConnectAsync(manta.Host, manta.Port, MqttProtocolVersion.V500, longId, o => o.WithCleanStart(false).WithSessionExpiryInterval(300));
        Assert.True(kept.ConnectResult.IsSessionPresent, $"the session with Session Expiry Interval 300 s did not survive kill -9.\n{manta.Describe()}");
    }
}
