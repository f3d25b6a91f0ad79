using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.Connect;

/// <summary>Client identifier rules per version (3.1: 1-23 characters required; 3.1.1: MQTT-3.1.3-6..8; 5.0: 3.1.3.1 assigned identifiers).</summary>
public sealed class ClientIdentifierTests
{
    [Fact]
    public async Task V310_empty_client_id_is_refused_with_return_code_2()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V310);
        await client.SendAsync(new Protocol.Packets.ConnectPacket { ProtocolName = "MQIsdp", ProtocolVersion = MqttProtocolVersion.V310, ClientId = string.Empty });
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x02 }, await client.ReceiveRawAsync());
        Assert.Null(await client.ReceiveRawAsync());
    }

    [Fact]
    public async Task V311_empty_client_id_with_clean_session_0_is_refused_with_return_code_2_MQTT_3_1_3_8()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        await client.SendAsync(new Protocol.Packets.ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = string.Empty, CleanStart = false });
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x02 }, await client.ReceiveRawAsync());
        Assert.Null(await client.ReceiveRawAsync());
        Assert.Equal(0, broker.Broker.Sessions.Count);
    }

    [Fact]
    public async Task V311_empty_client_id_with_clean_session_1_is_accepted_MQTT_3_1_3_6()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        var ack = await client.ConnectAsync(string.Empty, cleanStart: true);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        Assert.False(ack.SessionPresent);
        Assert.Null(ack.Properties);

        // The connection works: it can subscribe and receive.
        await client.SubscribeAsync("t");
        await client.PublishAsync("t", "x");
        Assert.Equal("t", (await client.ReceiveAsync<Protocol.Packets.PublishPacket>()).Topic);
    }

    [Fact]
    public async Task V5_empty_client_id_is_accepted_with_an_assigned_client_identifier()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync(string.Empty);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        var assigned = ack.Properties?.AssignedClientIdentifier;
        Assert.False(string.IsNullOrEmpty(assigned));
        Assert.NotNull(broker.Broker.Sessions.Find(assigned!));
    }

    [Fact]
    public async Task V5_two_empty_client_ids_get_different_assigned_identifiers()
    {
        await using var broker = new TestBroker();
        await using var first = broker.NewClient(MqttProtocolVersion.V500);
        await using var second = broker.NewClient(MqttProtocolVersion.V500);
        var a = (await first.ConnectAsync(string.Empty)).Properties?.AssignedClientIdentifier;
        var b = (await second.ConnectAsync(string.Empty)).Properties?.AssignedClientIdentifier;
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotEqual(a, b);
        await first.PingAsync();
    }

    [Fact]
    public async Task V5_given_client_id_gets_no_assigned_identifier()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("mine");
        Assert.Null(ack.Properties?.AssignedClientIdentifier);
    }
}
