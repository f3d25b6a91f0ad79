using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Mosquitto;

public sealed class MosquittoPersistentSessionTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Persistent_mosquitto_sub_receives_messages_published_while_away_MQTT_3_1_2_5(string version)
    {
        var topic = Timeouts.Topic("mosqpersist");
        var id = Timeouts.ClientId("mp");
        string[] session = version == "mqttv5" ? ["-c", "-i", id, "-q", "1", "-x", "300"] : ["-c", "-i", id, "-q", "1"];

        // -E: subscribe, wait for the SUBACK, disconnect: the session stays on the server.
        await using (var init = await Support.Mosquitto.SubAsync(fixture.Server, version, [.. session, "-t", topic, "-E"]))
        {
            Assert.Equal(0, await init.WaitForExitAsync(Timeouts.Expect));
        }

        for (var i = 1; i <= 3; i++)
        {
            await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-m", $"while away {i}");
        }

        // The queued messages may arrive before the SUBACK of mosquitto_sub's new SUBSCRIBE.
        await using var back = await Support.Mosquitto.SubUntilAsync("received CONNACK", fixture.Server, version, [.. session, "-t", topic, "-C", "3"]);
        var messages = await Support.Mosquitto.WaitForMessagesAsync(back, 3);
        Assert.Equal(["while away 1", "while away 2", "while away 3"], messages.Select(m => m.Payload));
        Assert.All(messages, m => Assert.Equal(1, m.QoS));
        Assert.Equal(0, await back.WaitForExitAsync(Timeouts.Expect));
    }
}
