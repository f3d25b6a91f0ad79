using System.Globalization;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Mosquitto;

public sealed class MosquittoPubSubTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MosquittoByQoS), MemberType = typeof(Versions))]
    public async Task Mosquitto_sub_receives_what_mosquitto_pub_sends_MQTT_4_3(string version, int qos)
    {
        var topic = Timeouts.Topic("mosq");
        var q = qos.ToString(CultureInfo.InvariantCulture);
        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", q, "-C", "2");

        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", q, "-m", "first message");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", topic, "-q", q, "-m", "second");

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 2);
        Assert.Equal(
            [new SubMessage(topic, qos, false, "first message"), new SubMessage(topic, qos, false, "second")],
            messages);
        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Expect));
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Mosquitto_wildcard_subscription_matches_MQTT_4_7_1(string version)
    {
        var root = Timeouts.Topic("mosqwild");
        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", $"{root}/+/x/#", "-q", "1", "-C", "2");

        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", $"{root}/a/y", "-q", "1", "-m", "no");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", $"{root}/a/x", "-q", "1", "-m", "parent");
        await Support.Mosquitto.PubAsync(fixture.Server, version, "-t", $"{root}/b/x/c/d", "-q", "1", "-m", "deep");

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 2);
        Assert.Equal([($"{root}/a/x", "parent"), ($"{root}/b/x/c/d", "deep")], messages.Select(m => (m.Topic, m.Payload)));
    }

    [Theory]
    [MemberData(nameof(Support.Mosquitto.AllVersions), MemberType = typeof(Support.Mosquitto))]
    public async Task Mosquitto_pub_with_many_messages_from_stdin_lines_arrive_in_order_MQTT_4_6_0_6(string version)
    {
        var topic = Timeouts.Topic("mosqorder");
        await using var sub = await Support.Mosquitto.SubAsync(fixture.Server, version, "-t", topic, "-q", "1", "-C", "20");

        // -l sends each stdin line as a message; we close stdin by running through sh with a here-string.
        var lines = string.Join("\n", Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        await using var pub = ExternalProcess.Start(
            "sh",
            ["-c", $"printf '%s\\n' \"$0\" | mosquitto_pub -h {fixture.Server.Host} -p {fixture.Server.Port} -V {version} -t {topic} -q 1 -l", lines]);
        Assert.Equal(0, await pub.WaitForExitAsync(Timeouts.Process));

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(CultureInfo.InvariantCulture)), messages.Select(m => m.Payload));
    }
}
