using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary><c>--Manta:Broker:Policy:MaximumKeepAlive=5</c>: v5 clients are told in CONNACK Server Keep Alive.</summary>
public sealed class KeepAlivePolicyTests(KeepAlivePolicyTests.Host host) : IClassFixture<KeepAlivePolicyTests.Host>
{
    [Theory]
    [InlineData(60)]
    [InlineData(0)]
    public async Task V5_client_asking_for_more_than_the_maximum_is_told_server_keep_alive_5_MQTT_3_2_2_21(int keepAliveSeconds)
    {
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500, configure: o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(keepAliveSeconds)));

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.Equal(5, client.ConnectResult.ServerKeepAlive);
    }

    [Fact]
    public async Task V5_client_within_the_maximum_keeps_its_keep_alive()
    {
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V500, configure: o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(3)));

        // No Server Keep Alive property: MQTTnet reports 0, and the client's 3 s stand.
        Assert.Equal(0, client.ConnectResult.ServerKeepAlive);
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:MaximumKeepAlive=5");
}

/// <summary><c>--Manta:Broker:Policy:MaximumKeepAlive=1</c>: a 3.1.1 client cannot be told, so it is held to the maximum.</summary>
public sealed class KeepAliveHeldPolicyTests(KeepAliveHeldPolicyTests.Host host) : IClassFixture<KeepAliveHeldPolicyTests.Host>
{
    [Fact]
    public async Task V311_client_with_a_longer_keep_alive_is_closed_after_one_and_a_half_maximum_keep_alives()
    {
        // MQTTnet pings every 60 s as asked; the server holds it to 1 s, i.e. closes it after 1.5 s of silence.
        await using var client = await NetClient.ConnectAsync(host.Server, MqttProtocolVersion.V311, configure: o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(60)));
        var connectedAt = System.Diagnostics.Stopwatch.StartNew();

        await PolicyAssert.DisconnectedAsync(client);
        Assert.True(connectedAt.Elapsed >= TimeSpan.FromMilliseconds(1200), $"closed after {connectedAt.ElapsedMilliseconds} ms, before 1.5 x the 1 s maximum");
        Assert.True(connectedAt.Elapsed <= TimeSpan.FromMilliseconds(4000), $"closed after {connectedAt.ElapsedMilliseconds} ms");
    }

    public sealed class Host() : PolicyHost("--Manta:Broker:Policy:MaximumKeepAlive=1");
}
