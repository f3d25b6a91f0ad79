using System.Text;
using Manta.Broker.Policy;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.SharedSubscriptions;

/// <summary>
/// What happens to the messages a group handed a member that goes away (MQTT 5 section 4.8.2).
/// A member whose session ends gives its unacknowledged QoS 1 messages and everything still
/// queued for it to another member (as EMQX does); a QoS 2 message in flight is not given to
/// anyone else (MQTT-4.8.2-5). A persistent member that merely goes offline keeps them until it
/// returns (the server "MAY wait for the Client to reconnect"), as Mosquitto does.
/// </summary>
public sealed class RedistributionTests
{
    [Fact]
    public async Task Unacknowledged_qos1_messages_of_a_clean_session_member_go_to_another_member()
    {
        await using var broker = new TestBroker();
        var a = await broker.ConnectAsync("a", MqttProtocolVersion.V311, cleanStart: true);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V311, cleanStart: true);
        await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("pub");
        for (ushort i = 0; i < 4; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, packetId: (ushort)(i + 1));
        }

        var toA = await SharedDrain.PayloadsAsync(a, acknowledge: false);
        var toB = await SharedDrain.PayloadsAsync(b);
        Assert.Equal(2, toA.Count);
        Assert.Equal(2, toB.Count);

        await a.DropAndWaitAsync();
        var redelivered = await b.ReceiveDeliveriesAsync(2);
        Assert.Equal(toA, redelivered.Select(p => Encoding.UTF8.GetString(p.Payload.Span)));
        Assert.All(redelivered, p => Assert.False(p.Dup));
        await b.ExpectNothingAsync();
    }

    [Fact]
    public async Task Queued_messages_of_an_ending_member_go_to_another_member_in_order()
    {
        await using var broker = new TestBroker(new BrokerPolicy { MaximumInflightMessages = 1 });
        var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        for (ushort i = 0; i < 6; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, packetId: (ushort)(i + 1));
        }

        // a has m0 in flight and m2, m4 queued behind its window of one; b acknowledges as it goes.
        Assert.Equal(["m0"], await SharedDrain.PayloadsAsync(a, acknowledge: false));
        var toB = new List<string>();
        while (toB.Count < 3)
        {
            toB.AddRange(await SharedDrain.PayloadsAsync(b));
        }

        Assert.Equal(["m1", "m3", "m5"], toB);
        await a.DropAndWaitAsync();
        var redelivered = await b.ReceiveDeliveriesAsync(3);
        Assert.Equal(["m0", "m2", "m4"], redelivered.Select(p => Encoding.UTF8.GetString(p.Payload.Span)));
    }

    [Fact]
    public async Task A_qos2_message_in_flight_is_not_given_to_another_member_MQTT_4_8_2_5()
    {
        await using var broker = new TestBroker();
        var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t", QualityOfService.ExactlyOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.ExactlyOnce);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("t", "m0", QualityOfService.ExactlyOnce);

        var publish = await a.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.ExactlyOnce, publish.QoS);
        await a.DropAndWaitAsync();
        await b.ExpectNothingAsync();
    }

    [Fact]
    public async Task A_persistent_member_offline_keeps_its_messages_and_new_ones_go_to_connected_members()
    {
        await using var broker = new TestBroker();
        var persistent = new MqttProperties { SessionExpiryInterval = 3600 };
        var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500, cleanStart: true, properties: persistent);
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("t", "m0", QualityOfService.AtLeastOnce, packetId: 1);
        await publisher.PublishAndAckAsync("t", "m1", QualityOfService.AtLeastOnce, packetId: 2);
        Assert.Equal(["m0"], await SharedDrain.PayloadsAsync(a, acknowledge: false));
        Assert.Equal(["m1"], await SharedDrain.PayloadsAsync(b));

        await a.DropAndWaitAsync();
        for (ushort i = 2; i < 6; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, packetId: (ushort)(i + 1));
        }

        Assert.Equal(["m2", "m3", "m4", "m5"], await SharedDrain.PayloadsAsync(b));

        await using var back = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await back.ConnectAsync("a", cleanStart: false, properties: persistent);
        Assert.True(ack.SessionPresent);
        var resent = await back.ReceiveAsync<PublishPacket>();
        Assert.True(resent.Dup);
        Assert.Equal("m0", Encoding.UTF8.GetString(resent.Payload.Span));
    }

    [Fact]
    public async Task When_an_offline_members_session_expires_its_messages_go_to_another_member()
    {
        await using var broker = new TestBroker();
        var a = await broker.ConnectAsync("a", MqttProtocolVersion.V500, properties: new MqttProperties { SessionExpiryInterval = 60 });
        await using var b = await broker.ConnectAsync("b", MqttProtocolVersion.V500);
        await a.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await b.SubscribeAsync("$share/g/t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("pub", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("t", "m0", QualityOfService.AtLeastOnce, packetId: 1);
        await publisher.PublishAndAckAsync("t", "m1", QualityOfService.AtLeastOnce, packetId: 2);
        Assert.Equal(["m0"], await SharedDrain.PayloadsAsync(a, acknowledge: false));
        Assert.Equal(["m1"], await SharedDrain.PayloadsAsync(b));

        await a.DropAndWaitAsync();
        await b.ExpectNothingAsync(TimeSpan.FromMilliseconds(50));
        broker.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(["m0"], await SharedDrain.PayloadsAsync(b));
    }
}
