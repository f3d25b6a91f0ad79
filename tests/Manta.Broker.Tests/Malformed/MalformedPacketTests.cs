using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Malformed;

/// <summary>
/// Malformed and hostile input (1.5.4, 2.1.3, 4.7, 4.13): v5 gets DISCONNECT with the prescribed reason code, 3.1.1 a close,
/// and another client of the same broker keeps publishing and receiving.
/// </summary>
public sealed class MalformedPacketTests
{
    public static TheoryData<string, string, ReasonCode> V5Cases => new()
    {
        { "remaining length of 5 bytes", "30 FF FF FF FF 7F", ReasonCode.MalformedPacket },
        { "SUBSCRIBE with reserved flags 0000 MQTT-3.8.1-1", "80 07 00 01 00 00 01 74 00", ReasonCode.MalformedPacket },
        { "PUBLISH with QoS 3 MQTT-3.3.1-4", "36 06 00 01 74 00 01 00", ReasonCode.MalformedPacket },
        { "PUBLISH QoS 0 with DUP MQTT-3.3.1-2", "38 04 00 01 74 00", ReasonCode.MalformedPacket },
        { "PUBLISH QoS 1 with packet id 0 MQTT-2.2.1-3", "32 06 00 01 74 00 00 00", ReasonCode.ProtocolError },
        { "topic with ill-formed UTF-8 MQTT-1.5.4-1", "30 05 00 02 C3 28 00", ReasonCode.MalformedPacket },
        { "topic with U+0000 MQTT-1.5.4-2", "30 05 00 02 61 00 00", ReasonCode.MalformedPacket },
        { "topic with a UTF-16 surrogate MQTT-1.5.4-1", "30 06 00 03 ED A0 80 00", ReasonCode.MalformedPacket },
        { "topic name with a wildcard MQTT-3.3.2-2", "30 06 00 03 61 2F 2B 00", ReasonCode.TopicNameInvalid },
        { "topic name with # MQTT-3.3.2-2", "30 04 00 01 23 00", ReasonCode.TopicNameInvalid },
        { "filter with # not last MQTT-4.7.1-1", "82 0B 00 01 00 00 05 61 2F 23 2F 62 00", ReasonCode.MalformedPacket },
        { "filter with + inside a level MQTT-4.7.1-2", "82 08 00 01 00 00 02 61 2B 00", ReasonCode.MalformedPacket },
        { "empty filter MQTT-4.7.3-1", "82 06 00 01 00 00 00 00", ReasonCode.MalformedPacket },
        { "topic alias above the maximum of 10 MQTT-3.3.2-9", "30 07 00 01 74 03 23 00 0B", ReasonCode.TopicAliasInvalid },
        { "duplicate property", "30 08 00 01 74 04 01 00 01 00", ReasonCode.ProtocolError },
        { "CONNACK sent by a client", "20 03 00 00 00", ReasonCode.ProtocolError },
        { "SUBACK sent by a client", "90 04 00 01 00 00", ReasonCode.ProtocolError },
        { "reserved packet type 0", "00 00", ReasonCode.MalformedPacket },
        { "PUBREL with flags 0000 MQTT-3.6.1-1", "60 02 00 01", ReasonCode.MalformedPacket },
    };

    public static TheoryData<string, string> V311Cases => new()
    {
        { "remaining length of 5 bytes", "30 FF FF FF FF 7F" },
        { "SUBSCRIBE with reserved flags 0000 MQTT-3.8.1-1", "80 06 00 01 00 01 74 00" },
        { "PUBLISH with QoS 3 MQTT-3.3.1-4", "36 05 00 01 74 00 01" },
        { "PUBLISH QoS 1 with packet id 0 MQTT-2.2.1-3", "32 05 00 01 74 00 00" },
        { "topic with ill-formed UTF-8 MQTT-1.5.4-1", "30 04 00 02 C3 28" },
        { "topic with U+0000 MQTT-1.5.4-2", "30 04 00 02 61 00" },
        { "topic name with a wildcard MQTT-3.3.2-2", "30 05 00 03 61 2F 2B" },
        { "filter with # not last MQTT-4.7.1-2", "82 0A 00 01 00 05 61 2F 23 2F 62 00" },
        { "empty filter MQTT-4.7.3-1", "82 05 00 01 00 00 00" },
        { "SUBSCRIBE QoS 3 MQTT-3.8.3-4", "82 06 00 01 00 01 74 03" },
        { "CONNACK sent by a client", "20 02 00 00" },
        { "AUTH in 3.1.1", "F0 00" },
    };

    [Theory]
    [MemberData(nameof(V5Cases))]
    public async Task V5_malformed_input_gets_the_prescribed_disconnect_and_others_are_unaffected(string what, string hex, ReasonCode expected)
    {
        Assert.NotEmpty(what);
        await using var broker = new TestBroker();
        await using var bystander = await broker.ConnectAsync("bystander", MqttProtocolVersion.V500);
        await bystander.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);

        var disconnect = await client.SendRawExpectClosedAsync(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.NotNull(disconnect);
        Assert.Equal(expected, disconnect.ReasonCode);
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);

        await BystanderStillWorksAsync(broker, bystander, MqttProtocolVersion.V500);
    }

    [Theory]
    [MemberData(nameof(V311Cases))]
    public async Task V311_malformed_input_closes_without_a_reply_and_others_are_unaffected(string what, string hex)
    {
        Assert.NotEmpty(what);
        await using var broker = new TestBroker();
        await using var bystander = await broker.ConnectAsync("bystander", MqttProtocolVersion.V311);
        await bystander.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V311);

        await client.SendRawAsync(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.Null(await client.ReceiveRawAsync());
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);

        await BystanderStillWorksAsync(broker, bystander, MqttProtocolVersion.V311);
    }

    [Fact]
    public async Task Malformed_publish_is_not_routed()
    {
        await using var broker = new TestBroker();
        await using var bystander = await broker.ConnectAsync("bystander", MqttProtocolVersion.V500);
        await bystander.SubscribeAsync("#");
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendRawExpectClosedAsync(Convert.FromHexString("30060003612F2B00"));
        await bystander.ExpectNothingAsync();
    }

    [Fact]
    public async Task Protocol_error_ends_a_v5_session_with_expiry_0_and_publishes_the_will()
    {
        await using var broker = new TestBroker();
        await using var bystander = await broker.ConnectAsync("bystander", MqttProtocolVersion.V500);
        await bystander.SubscribeAsync("will");
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500, will: new WillMessage { Topic = "will", Payload = "bye"u8.ToArray() });
        await client.SendRawExpectClosedAsync(0x20, 0x03, 0x00, 0x00, 0x00);
        Assert.Equal("will", (await bystander.ReceiveAsync<PublishPacket>()).Topic);
    }

    private static async Task BystanderStillWorksAsync(TestBroker broker, PipeClient bystander, MqttProtocolVersion version)
    {
        await using var publisher = await broker.ConnectAsync("p", version);
        await publisher.PublishAndAckAsync("t", "after", QualityOfService.AtLeastOnce);
        var delivered = await bystander.ReceivePublishAndAckAsync();
        Assert.Equal("after"u8.ToArray(), delivered.Payload.ToArray());
        await bystander.PublishAsync("t", "own");
        Assert.Equal("own"u8.ToArray(), (await bystander.ReceivePublishAndAckAsync()).Payload.ToArray());
    }
}
