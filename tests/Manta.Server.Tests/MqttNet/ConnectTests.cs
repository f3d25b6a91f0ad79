using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.MqttNet;

public sealed class ConnectTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Clean_connect_succeeds_without_session_present_MQTT_3_2_2_1(MqttProtocolVersion version)
    {
        await using var client = await NetClient.ConnectAsync(fixture.Server, version);

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.False(client.ConnectResult.IsSessionPresent);
        Assert.True(client.Client.IsConnected);
    }

    [Theory]
    [MemberData(nameof(Versions.MqttNet), MemberType = typeof(Versions))]
    public async Task Clean_connect_after_a_persistent_session_discards_it_MQTT_3_1_2_6(MqttProtocolVersion version)
    {
        var id = Timeouts.ClientId("cln");
        await using (var first = await NetClient.ConnectAsync(fixture.Server, version, id, o => o.WithCleanSession(false).WithSessionExpiryInterval(300)))
        {
            Assert.False(first.ConnectResult.IsSessionPresent);
        }

        await using var second = await NetClient.ConnectAsync(fixture.Server, version, id);
        Assert.Equal(MqttClientConnectResultCode.Success, second.ConnectResult.ResultCode);
        Assert.False(second.ConnectResult.IsSessionPresent);
    }

    [Fact]
    public async Task V5_empty_client_id_gets_an_assigned_client_identifier_MQTT_3_2_2_16()
    {
        await using var client = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, clientId: string.Empty);

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.False(string.IsNullOrEmpty(client.ConnectResult.AssignedClientIdentifier));
    }

    [Fact]
    public async Task V311_empty_client_id_with_clean_session_is_accepted_MQTT_3_1_3_6()
    {
        await using var client = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V311, clientId: string.Empty);

        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult.ResultCode);
        Assert.False(client.ConnectResult.IsSessionPresent);
    }
}
