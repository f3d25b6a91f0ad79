using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Policy;

/// <summary>BrokerPolicy.WillsAllowed, MaximumKeepAlive and ClientIdConflict.</summary>
public sealed class ConnectionPolicyTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.ImplementationSpecificError)]
    public async Task Connect_with_a_will_is_refused_when_wills_are_not_allowed(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(new BrokerPolicy { WillsAllowed = false });
        await using var client = broker.NewClient(version);
        var ack = await client.ConnectAsync("c", will: new WillMessage { Topic = "w", Payload = "x"u8.ToArray() });
        Assert.Equal(expected, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
        Assert.Null(broker.Broker.Sessions.Find("c"));

        await using var plain = broker.NewClient(version);
        Assert.Equal(ReasonCode.Success, (await plain.ConnectAsync("c")).ReasonCode);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(0)]
    public async Task V5_connack_server_keep_alive_caps_the_clients_value_MQTT_3_2_2_21(ushort requested)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumKeepAlive = 30 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c", keepAlive: requested);
        Assert.Equal((ushort)30, ack.Properties?.ServerKeepAlive);

        broker.Advance(TimeSpan.FromSeconds(44));
        await client.PingAsync();
        broker.Advance(TimeSpan.FromSeconds(46));
        Assert.Equal(ReasonCode.KeepAliveTimeout, (await client.ExpectClosedAsync())?.ReasonCode);
    }

    [Fact]
    public async Task V5_keep_alive_below_the_maximum_is_kept_without_server_keep_alive()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumKeepAlive = 30 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Null((await client.ConnectAsync("c", keepAlive: 20)).Properties?.ServerKeepAlive);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(0)]
    public async Task V311_keep_alive_is_enforced_at_the_maximum(ushort requested)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumKeepAlive = 30 });
        await using var client = await broker.ConnectAsync("c", keepAlive: requested);
        broker.Advance(TimeSpan.FromSeconds(44));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await client.ReceiveRawAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.ClientIdentifierNotValid)]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.ClientIdentifierNotValid)]
    public async Task Reject_new_refuses_the_second_connection_and_keeps_the_first(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(new BrokerPolicy { ClientIdConflict = ClientIdConflictPolicy.RejectNew });
        await using var first = await broker.ConnectAsync("c", version);
        await first.SubscribeAsync("t");

        await using var second = broker.NewClient(version);
        await second.SendAsync(new ConnectPacket { ProtocolVersion = version, ClientId = "c" });
        var raw = await second.ReceiveRawAsync();
        Assert.Equal(version == MqttProtocolVersion.V500 ? (byte)expected : (byte)2, raw![3]);
        Assert.Null(await second.ReceiveRawAsync());

        await first.PingAsync();
        broker.Broker.Publish(new PublishPacket { Topic = "t", Payload = "still"u8.ToArray() });
        Assert.Equal("still"u8.ToArray(), (await first.ReceiveAsync<PublishPacket>()).Payload.ToArray());
    }

    [Fact]
    public async Task Reject_new_accepts_the_id_again_once_the_first_is_gone()
    {
        await using var broker = new TestBroker(new BrokerPolicy { ClientIdConflict = ClientIdConflictPolicy.RejectNew });
        await using var first = await broker.ConnectAsync("c");
        await first.DisconnectAsync();
        await using var second = broker.NewClient();
        Assert.Equal(ReasonCode.Success, (await second.ConnectAsync("c")).ReasonCode);
    }
}
