using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Retained;

/// <summary>Retained messages and the RETAIN flag as mosquitto_pub / mosquitto_sub see them.</summary>
public sealed class MosquittoRetainFlagTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Newer_retained_message_replaces_the_older_one_MQTT_3_3_1_5(string version)
    {
        var topic = Timeouts.Topic("mosqreplace");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-m", "older");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-m", "newer");

        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-C", "2");

        // A live, non-retained marker after the SUBACK: anything retained was sent before it.
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-m", "marker");

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 2);
        Assert.Equal(
            [new SubMessage(topic, 1, true, "newer"), new SubMessage(topic, 1, false, "marker")],
            messages.Take(2));
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Delivery_to_an_existing_subscriber_has_retain_0_even_when_published_retained_MQTT_3_3_1_9(string version)
    {
        var topic = Timeouts.Topic("mosqretainflag");
        await using (var existing = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-C", "1"))
        {
            await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-m", "retained and live");
            var live = await Support.Mosquitto.WaitForMessagesAsync(existing, 1);
            Assert.Equal(new SubMessage(topic, 1, false, "retained and live"), live.Single());
        }

        // It was stored all the same: a later subscriber gets it with RETAIN 1 (MQTT-3.3.1-6).
        await using var later = await Support.Mosquitto.SubUntilAsync("received CONNACK", fixture.Server, version, "-t", topic, "-q", "1", "-C", "1");
        var stored = await Support.Mosquitto.WaitForMessagesAsync(later, 1);
        Assert.Equal(new SubMessage(topic, 1, true, "retained and live"), stored.Single());

        // Clean up the retained message.
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-r", "-n");
    }
}
