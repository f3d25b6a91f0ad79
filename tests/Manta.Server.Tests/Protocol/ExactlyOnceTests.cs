using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Protocol;

/// <summary>QoS 2 from a raw sender that retransmits, to an MQTTnet subscriber.</summary>
public sealed class ExactlyOnceTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task Retransmitted_qos2_publish_is_delivered_once_MQTT_4_3_3_10(byte level)
    {
        var topic = Timeouts.Topic("exactlyonce");
        await using var subscriber = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(level, Timeouts.ClientId("eo"));
        byte[] properties = level == 5 ? [0x00] : [];

        await raw.SendAsync(RawClient.Packet(0x34, RawClient.Str(topic), [0x00, 0x07], properties, "once"u8.ToArray()));
        var pubRec = await raw.ReadPacketAsync();
        Assert.Equal(0x50, pubRec?.Header ?? -1);
        Assert.Equal([0x00, 0x07], pubRec!.Value.Body.Take(2));

        // The sender did not see the PUBREC (say) and retransmits with DUP set.
        await raw.SendAsync(RawClient.Packet(0x3C, RawClient.Str(topic), [0x00, 0x07], properties, "once"u8.ToArray()));
        Assert.Equal(0x50, (await raw.ReadPacketAsync())?.Header ?? -1);

        await raw.SendAsync(0x62, 0x02, 0x00, 0x07); // PUBREL
        var pubComp = await raw.ReadPacketAsync();
        Assert.Equal(0x70, pubComp?.Header ?? -1);
        Assert.Equal([0x00, 0x07], pubComp!.Value.Body.Take(2));

        var message = await subscriber.NextAsync();
        Assert.Equal(("once", MqttQualityOfServiceLevel.ExactlyOnce), (message.PayloadText, message.QoS));
        await subscriber.ExpectNothingAsync(TimeSpan.FromMilliseconds(500));
    }
}
