using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Policy;

/// <summary>BrokerPolicy.MaximumPacketSize: oversize packets end only their own connection (MQTT-3.2.2-15 counterpart, 4.13).</summary>
public sealed class PacketSizePolicyTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Oversize_publish_closes_that_connection_only(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumPacketSize = 256 });
        await using var bystander = await broker.ConnectAsync("b", version);
        await bystander.SubscribeAsync("t");
        await using var client = await broker.ConnectAsync("c", version);

        await client.PublishAsync("t", new string('x', 300));
        var disconnect = await client.ExpectClosedAsync();
        Assert.Equal(version == MqttProtocolVersion.V500 ? ReasonCode.PacketTooLarge : null, disconnect?.ReasonCode);
        await bystander.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));

        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAsync("t", new string('y', 200));
        Assert.Equal(200, (await bystander.ReceiveAsync<PublishPacket>()).Payload.Length);
    }

    [Fact]
    public async Task Packet_of_exactly_the_maximum_size_is_accepted()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumPacketSize = 256 });
        await using var client = await broker.ConnectAsync("c");
        await client.SubscribeAsync("t");

        // 2 header bytes (remaining length 254 fits in... two bytes: 0xFE 0x01), so fixed header is 3 bytes: 3 + 2 + 1 + payload = 256.
        await client.PublishAsync("t", new string('x', 250));
        Assert.Equal(250, (await client.ReceiveAsync<PublishPacket>()).Payload.Length);
    }

    [Fact]
    public async Task Oversize_remaining_length_is_refused_before_the_body_arrives()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumPacketSize = 256 });
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);

        // Fixed header announcing 100 000 bytes, body never sent.
        await client.SendRawAsync(0x30, 0xA0, 0x8D, 0x06);
        Assert.Equal(ReasonCode.PacketTooLarge, (await client.ExpectClosedAsync())?.ReasonCode);
    }
}
