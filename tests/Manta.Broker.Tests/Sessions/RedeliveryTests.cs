using System.Text;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;

namespace Manta.Broker.Tests.Sessions;

/// <summary>Message delivery retry on reconnect (4.4): unacknowledged PUBLISH resent with DUP and the same packet id, PUBREL resent (MQTT-4.4.0-1).</summary>
public sealed class RedeliveryTests
{
    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };

    private static MqttProperties? Persistent(MqttProtocolVersion version)
        => version == MqttProtocolVersion.V500 ? new MqttProperties { SessionExpiryInterval = 3600 } : null;

    private static async Task<(PipeClient Subscriber, PipeClient Publisher)> SetUpAsync(TestBroker broker, MqttProtocolVersion version, QualityOfService qos)
    {
        var subscriber = broker.NewClient(version);
        await subscriber.ConnectAsync("c", cleanStart: false, properties: Persistent(version));
        await subscriber.SubscribeAsync("t", qos);
        var publisher = await broker.ConnectAsync("p", version);
        return (subscriber, publisher);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Unacknowledged_qos1_is_resent_with_dup_and_the_same_packet_id_MQTT_4_4_0_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var (subscriber, publisher) = await SetUpAsync(broker, version, QualityOfService.AtLeastOnce);
        await using var p = publisher;
        await publisher.PublishAndAckAsync("t", "one", QualityOfService.AtLeastOnce);
        var original = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.False(original.Dup);
        await subscriber.DropAndWaitAsync();
        await subscriber.DisposeAsync();

        await using var resumed = broker.NewClient(version);
        Assert.True((await resumed.ConnectAsync("c", cleanStart: false, properties: Persistent(version))).SessionPresent);
        var resent = await resumed.ReceiveAsync<PublishPacket>();
        Assert.True(resent.Dup);
        Assert.Equal(original.PacketId, resent.PacketId);
        Assert.Equal(QualityOfService.AtLeastOnce, resent.QoS);
        Assert.Equal("one", Encoding.UTF8.GetString(resent.Payload.Span));

        await resumed.SendAsync(new PubAckPacket { PacketId = resent.PacketId });
        await resumed.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Sessions.Find("c")!.InflightCount);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Several_unacknowledged_messages_are_resent_in_their_original_order_MQTT_4_6_0_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var (subscriber, publisher) = await SetUpAsync(broker, version, QualityOfService.ExactlyOnce);
        await using var p = publisher;
        var ids = new List<ushort>();
        for (ushort i = 1; i <= 3; i++)
        {
            await publisher.PublishAndAckAsync("t", $"m{i}", QualityOfService.AtLeastOnce, i);
            ids.Add((await subscriber.ReceiveAsync<PublishPacket>()).PacketId);
        }

        await subscriber.DropAndWaitAsync();
        await subscriber.DisposeAsync();

        await using var resumed = broker.NewClient(version);
        await resumed.ConnectAsync("c", cleanStart: false, properties: Persistent(version));
        for (var i = 0; i < 3; i++)
        {
            var resent = await resumed.ReceiveAsync<PublishPacket>();
            Assert.True(resent.Dup);
            Assert.Equal(ids[i], resent.PacketId);
            Assert.Equal($"m{i + 1}", Encoding.UTF8.GetString(resent.Payload.Span));
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Qos2_without_pubrec_is_resent_as_publish_with_dup_MQTT_4_4_0_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var (subscriber, publisher) = await SetUpAsync(broker, version, QualityOfService.ExactlyOnce);
        await using var p = publisher;
        await publisher.PublishAndAckAsync("t", "two", QualityOfService.ExactlyOnce);
        var original = await subscriber.ReceiveAsync<PublishPacket>();
        Assert.Equal(QualityOfService.ExactlyOnce, original.QoS);
        await subscriber.DropAndWaitAsync();
        await subscriber.DisposeAsync();

        await using var resumed = broker.NewClient(version);
        await resumed.ConnectAsync("c", cleanStart: false, properties: Persistent(version));
        var resent = await resumed.ReceiveAsync<PublishPacket>();
        Assert.True(resent.Dup);
        Assert.Equal(original.PacketId, resent.PacketId);
        Assert.Equal(QualityOfService.ExactlyOnce, resent.QoS);
        await resumed.AckAsync(resent);
        await resumed.ExpectNothingAsync();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Qos2_after_pubrec_gets_pubrel_resent_not_the_publish_MQTT_4_4_0_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var (subscriber, publisher) = await SetUpAsync(broker, version, QualityOfService.ExactlyOnce);
        await using var p = publisher;
        await publisher.PublishAndAckAsync("t", "two", QualityOfService.ExactlyOnce);
        var original = await subscriber.ReceiveAsync<PublishPacket>();
        await subscriber.SendAsync(new PubRecPacket { PacketId = original.PacketId });
        Assert.Equal(original.PacketId, (await subscriber.ReceiveAsync<PubRelPacket>()).PacketId);
        await subscriber.DropAndWaitAsync();
        await subscriber.DisposeAsync();

        await using var resumed = broker.NewClient(version);
        await resumed.ConnectAsync("c", cleanStart: false, properties: Persistent(version));
        var rel = await resumed.ReceiveAsync<PubRelPacket>();
        Assert.Equal(original.PacketId, rel.PacketId);
        await resumed.SendAsync(new PubCompPacket { PacketId = rel.PacketId });
        await resumed.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Sessions.Find("c")!.InflightCount);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Pubrel_raw_bytes_carry_flags_0010_MQTT_3_6_1_1(MqttProtocolVersion version)
    {
        await using var broker = new TestBroker();
        var (subscriber, publisher) = await SetUpAsync(broker, version, QualityOfService.ExactlyOnce);
        await using var s = subscriber;
        await using var p = publisher;
        await publisher.PublishAndAckAsync("t", "two", QualityOfService.ExactlyOnce);
        var original = await subscriber.ReceiveAsync<PublishPacket>();
        await subscriber.SendAsync(new PubRecPacket { PacketId = original.PacketId });
        Assert.Equal(new byte[] { 0x62, 0x02, (byte)(original.PacketId >> 8), (byte)original.PacketId }, await subscriber.ReceiveRawAsync());
    }
}
