using System.Diagnostics;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Wills;

/// <summary>v5 Will Delay Interval and retained wills with MQTTnet over real sockets.</summary>
public sealed class WillDelayTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private static Action<MqttClientOptionsBuilder> DelayedWill(string topic, string payload, uint delaySeconds, uint sessionExpirySeconds) =>
        o => o.WithCleanStart(false)
            .WithSessionExpiryInterval(sessionExpirySeconds)
            .WithWillTopic(topic)
            .WithWillPayload(payload)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillDelayInterval(delaySeconds);

    [Fact]
    public async Task Will_is_not_published_when_the_session_is_resumed_within_the_will_delay_MQTT_3_1_3_9()
    {
        var willTopic = Timeouts.Topic("willdelay-resume");
        var id = Timeouts.ClientId("wdr");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var doomed = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, DelayedWill(willTopic, "should not appear", 1, 60));

        // Dispose without DisconnectAsync: the socket closes without DISCONNECT, so the will is armed.
        var droppedAt = Stopwatch.StartNew();
        doomed.Client.Dispose();
        await using var back = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, o => o.WithCleanStart(false).WithSessionExpiryInterval(60));
        Assert.True(droppedAt.Elapsed < TimeSpan.FromMilliseconds(800), $"reconnect took {droppedAt.ElapsedMilliseconds} ms, longer than the will delay allows to test");
        Assert.True(back.ConnectResult.IsSessionPresent);

        // Past the delay plus one heartbeat: the will stays unpublished.
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(2300));

        // End the session cleanly (DISCONNECT with session expiry 0 is not sent by default: reconnect clean).
        await back.DisconnectAsync();
        await using var cleanup = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id);
    }

    [Fact]
    public async Task Will_is_published_once_the_will_delay_has_passed_MQTT_3_1_3_9()
    {
        var willTopic = Timeouts.Topic("willdelay");
        var id = Timeouts.ClientId("wdl");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var doomed = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, DelayedWill(willTopic, "late", 1, 60));

        var droppedAt = Stopwatch.StartNew();
        doomed.Client.Dispose();

        var will = await watcher.NextAsync(TimeSpan.FromSeconds(5));
        var elapsed = droppedAt.Elapsed;
        Assert.Equal((willTopic, "late", MqttQualityOfServiceLevel.AtLeastOnce), (will.Topic, will.PayloadText, will.QoS));
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(800), $"will published after {elapsed.TotalMilliseconds:0} ms, before its 1 s delay");
        Assert.True(elapsed <= TimeSpan.FromMilliseconds(3500), $"will published after {elapsed.TotalMilliseconds:0} ms, long after its 1 s delay");

        await using var cleanup = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id);
    }

    [Fact]
    public async Task Will_is_published_when_the_session_ends_before_the_will_delay_3_1_3_2_2()
    {
        // "The Server delays publishing the Client's Will Message until the Will Delay Interval has passed
        // or the Session ends, whichever happens first": session expiry 1 s, will delay 30 s.
        var willTopic = Timeouts.Topic("willdelay-expiry");
        await using var watcher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var doomed = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, configure: DelayedWill(willTopic, "session over", 30, 1));

        var droppedAt = Stopwatch.StartNew();
        doomed.Client.Dispose();

        var will = await watcher.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("session over", will.PayloadText);
        Assert.True(droppedAt.Elapsed >= TimeSpan.FromMilliseconds(800), $"will published after {droppedAt.ElapsedMilliseconds} ms, before the session's 1 s expiry");
    }

    [Fact]
    public async Task V5_retained_will_reaches_a_later_subscriber_as_retained_MQTT_3_1_2_17()
    {
        var willTopic = Timeouts.Topic("willretain5");
        var doomed = await NetClient.ConnectAsync(
            fixture.Server,
            MqttProtocolVersion.V500,
            configure: o => o.WithWillTopic(willTopic).WithWillPayload("last words").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(true));

        // A subscriber present at the time gets it live, with RETAIN 0 (MQTT-3.3.1-9).
        await using var present = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await present.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        doomed.Client.Dispose();
        var live = await present.NextAsync();
        Assert.Equal(("last words", false), (live.PayloadText, live.Retain));

        // The will was published before the live copy arrived, so it is stored by now.
        await using var later = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await later.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var retained = await later.NextAsync();
        Assert.Equal((willTopic, "last words", true, MqttQualityOfServiceLevel.AtLeastOnce), (retained.Topic, retained.PayloadText, retained.Retain, retained.QoS));
    }
}
