using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Mosquitto;

/// <summary>$SYS/broker/... as mosquitto_sub users read it from Mosquitto.</summary>
public sealed class MosquittoSysTopicTests(MosquittoSysTopicTests.Host host) : IClassFixture<MosquittoSysTopicTests.Host>
{
    [Fact]
    public async Task Sys_topics_are_published_retained_every_interval()
    {
        await using var sub = await Support.Mosquitto.SubAsync(host.Server, "mqttv311", "-t", "$SYS/broker/version", "-t", "$SYS/broker/uptime", "-C", "2");
        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 2);
        Assert.Contains(messages, m => m.Topic == "$SYS/broker/version" && m.Payload.StartsWith("manta ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Topic == "$SYS/broker/uptime" && m.Payload.EndsWith(" seconds", StringComparison.Ordinal));

        // Published retained: a later subscriber gets the last value at once, with the retain flag.
        await using var late = await Support.Mosquitto.SubAsync(host.Server, "mqttv5", "-t", "$SYS/broker/clients/connected", "-C", "1");
        var retained = Assert.Single(await Support.Mosquitto.WaitForMessagesAsync(late, 1));
        Assert.True(retained.Retain);
    }

    /// <summary>A host publishing $SYS every second.</summary>
    public sealed class Host() : PolicyKnobs.PolicyHost("--Manta:Broker:SysInterval=00:00:01");
}
