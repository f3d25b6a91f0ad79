using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Connect;

/// <summary>Empty and assigned client identifiers over real sockets.</summary>
public sealed class ClientIdTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Fact]
    public async Task V311_empty_client_id_with_clean_session_0_gets_return_code_2_MQTT_3_1_3_8()
    {
        // No real client sends this: mosquitto refuses -c without -i, MQTTnet sends what it is told but we
        // want to see the raw CONNACK bytes.
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(RawClient.Connect(4, string.Empty, cleanSession: false));

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets), "connection not closed after the refusal (MQTT-3.2.2-5)");
        var connAck = Assert.Single(packets);
        Assert.Equal(0x20, connAck.Header);
        Assert.Equal([0x00, 0x02], connAck.Body);
    }

    [Fact]
    public async Task V31_empty_client_id_is_refused_with_return_code_2()
    {
        // mosquitto_pub -V mqttv31 -i "" stops client-side ("Invalid id") and MQTTnet 5 does not speak 3.1: raw bytes.
        byte[] connect = RawClient.Packet(
            0x10,
            RawClient.Str("MQIsdp"),
            [0x03, 0x02, 0x00, 0x1E], // level 3, clean session, keep alive 30
            RawClient.Str(string.Empty));
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(connect);

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets), "connection not closed after the refusal");
        var connAck = Assert.Single(packets);
        Assert.Equal(0x20, connAck.Header);
        Assert.Equal([0x00, 0x02], connAck.Body);
    }

    [Fact]
    public async Task V31_client_id_is_accepted_from_mosquitto_pub()
    {
        // The control for the refusal above: the same level with an identifier works.
        await Support.Mosquitto.PubAsync(fixture.Server, "mqttv31", "-i", Timeouts.ClientId("v31"), "-t", Timeouts.Topic("v31id"), "-m", "x");
    }

    [Fact]
    public async Task V5_empty_client_id_gets_a_unique_assigned_identifier_that_names_the_session_MQTT_3_2_2_16()
    {
        var topic = Timeouts.Topic("assigned");
        string assigned;

        // Clean start 1 (MQTTnet refuses to send an empty id with clean start 0, which v5 allows), expiry 30 s:
        // the new session outlives the connection.
        await using (var first = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, string.Empty, o => o.WithSessionExpiryInterval(30)))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, first.ConnectResult.ResultCode);
            assigned = first.ConnectResult.AssignedClientIdentifier;
            Assert.False(string.IsNullOrEmpty(assigned));

            await using var second = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, string.Empty);
            Assert.False(string.IsNullOrEmpty(second.ConnectResult.AssignedClientIdentifier));
            Assert.NotEqual(assigned, second.ConnectResult.AssignedClientIdentifier);
            Assert.True(first.Client.IsConnected, "the second empty-id client took over the first");

            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await using (var publisher = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500))
        {
            await publisher.PublishAsync(topic, "for the assigned id", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // The assigned identifier is the session's: connecting with it resumes the session.
        await using var again = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500, assigned, o => o.WithCleanStart(false).WithSessionExpiryInterval(0));
        Assert.True(again.ConnectResult.IsSessionPresent);
        Assert.True(string.IsNullOrEmpty(again.ConnectResult.AssignedClientIdentifier), "an identifier was assigned to a client that sent one");
        Assert.Equal("for the assigned id", (await again.NextAsync()).PayloadText);
    }
}
