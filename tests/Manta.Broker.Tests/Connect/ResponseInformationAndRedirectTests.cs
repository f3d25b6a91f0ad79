using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Connect;

/// <summary>v5 Request Response Information (3.1.2.11.7 / 3.2.2.3.15) and server redirection (4.11).</summary>
public sealed class ResponseInformationAndRedirectTests
{
    [Fact]
    public async Task A_client_asking_for_response_information_gets_a_topic_prefix_of_its_own()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("device-9", properties: new MqttProperties { RequestResponseInformation = 1 });
        Assert.Equal("response/device-9", ack.Properties?.ResponseInformation);
    }

    [Fact]
    public async Task No_response_information_unless_asked_MQTT_3_1_2_28()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("device-9");
        Assert.Null(ack.Properties?.ResponseInformation);
    }

    [Fact]
    public async Task The_prefix_is_configurable_and_empty_means_none()
    {
        await using var custom = new TestBroker(configure: o => o.ResponseInformationPrefix = "$rr/");
        await using var a = custom.NewClient(MqttProtocolVersion.V500);
        Assert.Equal("$rr/x", (await a.ConnectAsync("x", properties: new MqttProperties { RequestResponseInformation = 1 })).Properties?.ResponseInformation);

        await using var none = new TestBroker(configure: o => o.ResponseInformationPrefix = string.Empty);
        await using var b = none.NewClient(MqttProtocolVersion.V500);
        Assert.Null((await b.ConnectAsync("x", properties: new MqttProperties { RequestResponseInformation = 1 })).Properties?.ResponseInformation);
    }

    [Theory]
    [InlineData(ServerRedirect.UseAnotherServer, ReasonCode.UseAnotherServer)]
    [InlineData(ServerRedirect.ServerMoved, ReasonCode.ServerMoved)]
    public async Task A_redirecting_server_sends_v5_clients_to_the_server_reference(ServerRedirect redirect, ReasonCode expected)
    {
        await using var broker = new TestBroker(configure: o =>
        {
            o.Redirect = redirect;
            o.ServerReference = "mqtt2.example.com:1883";
        });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c");
        Assert.Equal(expected, ack.ReasonCode);
        Assert.Equal("mqtt2.example.com:1883", ack.Properties?.ServerReference);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_redirecting_server_refuses_3x_clients_as_unavailable()
    {
        await using var broker = new TestBroker(configure: o =>
        {
            o.Redirect = ServerRedirect.ServerMoved;
            o.ServerReference = "elsewhere";
        });
        await using var client = broker.NewClient(MqttProtocolVersion.V311);
        var ack = await client.ConnectAsync("c");
        Assert.Equal(ReasonCode.ServerUnavailable, ack.ReasonCode);
    }
}
