using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.Connect;

/// <summary>v5 CONNACK properties announce the server's limits (3.2.2.3); 3.x CONNACK has none.</summary>
public sealed class ConnAckPropertiesTests
{
    [Fact]
    public async Task V5_default_connack_announces_maximum_packet_size_and_topic_aliases()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c");
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        var p = Assert.IsType<Protocol.Properties.MqttProperties>(ack.Properties);
        Assert.Equal(1024u * 1024u, p.MaximumPacketSize);
        // Absent means available (shared subscriptions, wildcards, subscription identifiers).
        Assert.Null(p.SharedSubscriptionAvailable);
        Assert.Null(p.WildcardSubscriptionAvailable);
        Assert.Null(p.SubscriptionIdentifierAvailable);
        Assert.Null(p.ReceiveMaximum);
        Assert.Null(p.MaximumQoS);
        Assert.Null(p.RetainAvailable);
        Assert.Null(p.ServerKeepAlive);
        Assert.Null(p.AssignedClientIdentifier);
        Assert.Equal((ushort)10, p.TopicAliasMaximum);
    }

    [Fact]
    public async Task V5_connack_maximum_packet_size_follows_the_policy()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumPacketSize = 128 * 1024 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c");
        Assert.Equal(128u * 1024u, ack.Properties?.MaximumPacketSize);
    }

    [Fact]
    public async Task V5_connack_receive_maximum_is_announced_when_the_policy_lowers_it()
    {
        await using var broker = new TestBroker(new BrokerPolicy { ReceiveMaximum = 10 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c");
        Assert.Equal((ushort)10, ack.Properties?.ReceiveMaximum);
    }

    [Fact]
    public async Task V311_connack_is_four_bytes()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        await client.SendAsync(new Protocol.Packets.ConnectPacket { ClientId = "c" });
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, await client.ReceiveRawAsync());
    }
}
