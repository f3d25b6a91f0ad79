using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary>A host configured to send clients elsewhere (v5 section 4.11): `Manta:Broker:Redirect` and `ServerReference`.</summary>
public sealed class RedirectTests(RedirectTests.Host host) : IClassFixture<RedirectTests.Host>
{
    [Fact]
    public async Task A_v5_client_is_told_the_server_moved_and_where_to()
    {
        await using var client = await NetClient.ConnectAsync(host.Server.Host, host.Server.Port, MqttProtocolVersion.V500, Timeouts.ClientId("moved"));
        Assert.Equal(MqttClientConnectResultCode.ServerMoved, client.ConnectResult.ResultCode);
        Assert.Equal("mqtt2.example.com:1883", client.ConnectResult.ServerReference);
    }

    [Fact]
    public async Task A_311_client_is_refused_as_server_unavailable()
    {
        await using var client = await NetClient.ConnectAsync(host.Server.Host, host.Server.Port, MqttProtocolVersion.V311, Timeouts.ClientId("moved3"));
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, client.ConnectResult.ResultCode);
    }

    /// <summary>The redirecting host.</summary>
    public sealed class Host() : PolicyHost("--Manta:Broker:Redirect=ServerMoved", "--Manta:Broker:ServerReference=mqtt2.example.com:1883");
}
