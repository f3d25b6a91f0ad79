using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:ClientIdConflict=RejectNew</c>: the live connection keeps its client id.</summary>
public sealed class ClientIdConflictPolicyTests(ClientIdConflictPolicyTests.Host host) : IClassFixture<ClientIdConflictPolicyTests.Host>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Second_client_with_a_live_id_is_refused_and_the_first_keeps_receiving(MqttProtocolVersion version)
    {
        var topic = Timeouts.Topic("rejectnew");
        var id = Timeouts.ClientId("rej");
        await using var first = await NetClient.ConnectAsync(host.Server, version, id);
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var code = await Refused.ResultCodeAsync(() => NetClient.ConnectAsync(host.Server, version, id));
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, code);

        await using var publisher = await NetClient.ConnectAsync(host.Server, version);
        await publisher.PublishAsync(topic, "still mine", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("still mine", (await first.NextAsync()).PayloadText);
        Assert.True(first.Client.IsConnected);
        Assert.False(first.Disconnected.IsCompleted);
    }

    [Fact]
    public async Task Id_is_free_again_once_its_connection_has_ended()
    {
        var id = Timeouts.ClientId("rejfree");
        await using (var first = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500, id))
        {
        }

        await using var second = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500, id);
        Assert.Equal(MqttClientConnectResultCode.Success, second.ConnectResult.ResultCode);
    }

    [Fact]
    public async Task Mosquitto_sub_with_a_live_id_is_refused()
    {
        var id = Timeouts.ClientId("rejmosq");
        await using var first = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V311, id);

        await using var second = ExternalProcess.Start(
            "mosquitto_sub",
            ["-h", host.Server.Host, "-p", host.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", "mqttv311", "-i", id, "-t", Timeouts.Topic("rejmosq"), "-W", "5"]);
        var code = await second.WaitForExitAsync(Timeouts.Process);

        Assert.True(code != 0, $"mosquitto_sub with a live id exited 0\n{second.Describe()}");
        Assert.Contains("identifier rejected", second.Describe(), StringComparison.OrdinalIgnoreCase);
        Assert.True(first.Client.IsConnected);
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:ClientIdConflict=RejectNew");
}
