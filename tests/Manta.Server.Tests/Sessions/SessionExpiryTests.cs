using System.Diagnostics;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Sessions;

/// <summary>Session lifetime over real sockets with MQTTnet: v5 Session Expiry Interval, 3.1.1 clean session.</summary>
public sealed class SessionExpiryTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    private static Action<MqttClientOptionsBuilder> Persistent(uint expirySeconds) =>
        o => o.WithCleanStart(false).WithSessionExpiryInterval(expirySeconds);

    [Fact]
    public async Task V5_session_is_discarded_once_its_expiry_interval_has_passed_MQTT_3_1_2_23()
    {
        var topic = Timeouts.Topic("expiry1");
        var id = Timeouts.ClientId("exp1");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent(1)))
        {
            Assert.False(first.ConnectResult.IsSessionPresent);
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Control: right after the DISCONNECT the session is still there, so the expiry below is the timer's doing
        // (not, say, a DISCONNECT that ended the session at once).
        await using (var quick = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent(1)))
        {
            Assert.True(quick.ConnectResult.IsSessionPresent, "session gone right after a normal DISCONNECT with expiry 1 s");
        }

        var disconnectedAt = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromMilliseconds(2500));

        // A publication after the expiry must find no subscription of the ended session.
        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(topic, "after expiry", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent(1));
        Assert.False(again.ConnectResult.IsSessionPresent, $"session still present {disconnectedAt.Elapsed.TotalSeconds:0.0}s after a DISCONNECT with Session Expiry Interval 1");

        // Nor was the subscription carried into the new session (MQTT-3.1.2-4: a new session has none).
        await using var live = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await live.PublishAsync(topic, "live", MqttQualityOfServiceLevel.AtLeastOnce);
        await again.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task V5_session_resumed_within_its_expiry_interval_keeps_subscription_and_queued_qos1_MQTT_3_1_2_23_and_3_2_2_2()
    {
        var topic = Timeouts.Topic("expiry30");
        var id = Timeouts.ClientId("exp30");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent(30)))
        {
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(topic, "queued while away", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Longer than a heartbeat, far shorter than the interval.
        await Task.Delay(TimeSpan.FromMilliseconds(1200));

        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, id, Persistent(0));
        Assert.True(again.ConnectResult.IsSessionPresent);
        var message = await again.NextAsync();
        Assert.Equal((topic, "queued while away", MqttQualityOfServiceLevel.AtLeastOnce), (message.Topic, message.PayloadText, message.QoS));
    }

    [Fact]
    public async Task V311_clean_session_1_session_ends_with_the_connection_MQTT_3_1_2_6()
    {
        var topic = Timeouts.Topic("clean311");
        var id = Timeouts.ClientId("cln311");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311, id))
        {
            Assert.False(first.ConnectResult.IsSessionPresent);
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311))
        {
            await publisher.PublishAsync(topic, "nobody keeps this", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Reconnect asking to resume (clean session 0): a server that kept the clean session would say so here.
        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311, id, o => o.WithCleanSession(false));
        Assert.False(again.ConnectResult.IsSessionPresent);

        await using var live = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311);
        await live.PublishAsync(topic, "live", MqttQualityOfServiceLevel.AtLeastOnce);
        await again.ExpectNothingAsync(TimeSpan.FromMilliseconds(600));

        // Leave no persistent session behind.
        await again.DisconnectAsync();
        await using var cleanup = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311, id);
    }
}
