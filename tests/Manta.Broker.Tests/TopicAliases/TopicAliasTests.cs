using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.TopicAliases;

/// <summary>MQTT 5 topic aliases in both directions (section 3.3.2.3.4).</summary>
public sealed class TopicAliasTests
{
    [Fact]
    public async Task A_client_alias_set_with_a_topic_is_used_by_later_publications()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("plant/#");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        await publisher.SendAsync(Aliased("plant/7/temp", 3, "21.5"));
        await publisher.SendAsync(Aliased(string.Empty, 3, "21.6"));

        foreach (var payload in new[] { "21.5", "21.6" })
        {
            var delivered = await subscriber.ReceiveAsync<PublishPacket>();
            Assert.Equal("plant/7/temp", delivered.Topic);
            Assert.Equal(payload, System.Text.Encoding.UTF8.GetString(delivered.Payload.Span));

            // The publisher's alias is not forwarded: aliases belong to one connection.
            Assert.Null(delivered.Properties?.TopicAlias);
        }
    }

    [Fact]
    public async Task An_alias_can_be_remapped_to_another_topic()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("#");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        await publisher.SendAsync(Aliased("a", 1, "1"));
        await publisher.SendAsync(Aliased("b", 1, "2"));
        await publisher.SendAsync(Aliased(string.Empty, 1, "3"));

        Assert.Equal("a", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
        Assert.Equal("b", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
        Assert.Equal("b", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task Using_an_alias_never_set_is_a_protocol_error_MQTT_3_3_2_12()
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.SendAsync(Aliased(string.Empty, 2, "x"));
        Assert.Equal(ReasonCode.ProtocolError, (await publisher.ExpectClosedAsync())?.ReasonCode);
    }

    [Fact]
    public async Task Aliases_are_not_carried_to_a_new_connection_MQTT_3_3_2_7()
    {
        await using var broker = new TestBroker();
        await using (var first = await broker.ConnectAsync("p", MqttProtocolVersion.V500, cleanStart: false))
        {
            await first.SendAsync(Aliased("a", 1, "1"));
            await first.SendAsync(new DisconnectPacket());
        }

        await using var second = await broker.ConnectAsync("p", MqttProtocolVersion.V500, cleanStart: false);
        await second.SendAsync(Aliased(string.Empty, 1, "2"));
        Assert.Equal(ReasonCode.ProtocolError, (await second.ExpectClosedAsync())?.ReasonCode);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(ushort.MaxValue)]
    public async Task An_alias_above_the_announced_maximum_gets_0x94_MQTT_3_3_2_9(int alias)
    {
        await using var broker = new TestBroker();
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.SendAsync(Aliased("a", (ushort)alias, "x"));
        Assert.Equal(ReasonCode.TopicAliasInvalid, (await publisher.ExpectClosedAsync())?.ReasonCode);
    }

    [Fact]
    public async Task With_topic_aliases_disabled_any_alias_gets_0x94()
    {
        await using var broker = new TestBroker(new BrokerPolicy { TopicAliasMaximum = 0 });
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("p");
        Assert.Null(ack.Properties?.TopicAliasMaximum);
        await client.SendAsync(Aliased("a", 1, "x"));
        Assert.Equal(ReasonCode.TopicAliasInvalid, (await client.ExpectClosedAsync())?.ReasonCode);
    }

    [Fact]
    public async Task The_server_aliases_topics_it_sends_to_a_client_that_accepts_them()
    {
        await using var broker = new TestBroker();
        await using var subscriber = broker.NewClient(MqttProtocolVersion.V500);
        await subscriber.ConnectAsync("s", properties: new MqttProperties { TopicAliasMaximum = 2 });
        await subscriber.SubscribeAsync("#");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        foreach (var topic in new[] { "t/a", "t/a", "t/b", "t/c", "t/b", "t/c" })
        {
            await publisher.PublishAsync(topic, topic);
        }

        // First sight: topic and a new alias; again: the alias alone. A third topic exceeds the
        // client's maximum of 2 and always goes out in full.
        var expected = new (string Topic, ushort? Alias)[] { ("t/a", 1), (string.Empty, 1), ("t/b", 2), ("t/c", null), (string.Empty, 2), ("t/c", null) };
        foreach (var (topic, alias) in expected)
        {
            var delivered = await subscriber.ReceiveAsync<PublishPacket>();
            Assert.Equal(topic, delivered.Topic);
            Assert.Equal(alias, delivered.Properties?.TopicAlias);
        }
    }

    [Fact]
    public async Task No_aliases_are_sent_to_a_client_that_did_not_ask_for_them_MQTT_3_3_2_10()
    {
        await using var broker = new TestBroker();
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("#");
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAsync("t/a", "1");
        await publisher.PublishAsync("t/a", "2");
        for (var i = 0; i < 2; i++)
        {
            var delivered = await subscriber.ReceiveAsync<PublishPacket>();
            Assert.Equal("t/a", delivered.Topic);
            Assert.Null(delivered.Properties?.TopicAlias);
        }
    }

    private static PublishPacket Aliased(string topic, ushort alias, string payload) => new()
    {
        Topic = topic,
        Payload = System.Text.Encoding.UTF8.GetBytes(payload),
        Properties = new MqttProperties { TopicAlias = alias },
    };
}
