using Manta.Broker.Extensibility;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Extensibility;

/// <summary>IAuthorizer: denied publications are acknowledged with 0x87 (v5) and not delivered; denied subscriptions get 0x87 / 0x80.</summary>
public sealed class AuthorizerTests
{
    [Theory]
    [InlineData(QualityOfService.AtLeastOnce)]
    [InlineData(QualityOfService.ExactlyOnce)]
    public async Task V5_denied_publish_gets_0x87_and_is_not_delivered(QualityOfService qos)
    {
        await using var broker = new TestBroker(authorizer: new DenyingAuthorizer());
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("#", QualityOfService.ExactlyOnce);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        Assert.Equal(ReasonCode.NotAuthorized, await publisher.PublishAndAckAsync("secret/x", "no", qos));
        await subscriber.ExpectNothingAsync();
        Assert.Equal(0, broker.Broker.Sessions.Find("p")!.InboundQos2Count);

        Assert.Equal(ReasonCode.Success, await publisher.PublishAndAckAsync("open/x", "yes", qos, 2));
        Assert.Equal("open/x", (await subscriber.ReceiveAsync<PublishPacket>()).Topic);
    }

    [Fact]
    public async Task V311_denied_publish_is_acknowledged_and_not_delivered()
    {
        await using var broker = new TestBroker(authorizer: new DenyingAuthorizer());
        await using var subscriber = await broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("#", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p");
        await publisher.PublishAsync("secret/x", "no", QualityOfService.AtLeastOnce, packetId: 3);
        Assert.Equal(new byte[] { 0x40, 0x02, 0x00, 0x03 }, await publisher.ReceiveRawAsync());
        await subscriber.ExpectNothingAsync();
    }

    [Fact]
    public async Task Denied_retained_publish_is_not_stored()
    {
        await using var broker = new TestBroker(authorizer: new DenyingAuthorizer());
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAndAckAsync("secret/x", "no", QualityOfService.AtLeastOnce, retain: true);
        Assert.Equal(0, broker.Broker.Retained.Count);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, (byte)0x80)]
    [InlineData(MqttProtocolVersion.V500, (byte)0x87)]
    public async Task Denied_subscribe_gets_a_failure_code_and_no_subscription(MqttProtocolVersion version, byte expected)
    {
        await using var broker = new TestBroker(authorizer: new DenyingAuthorizer());
        await using var client = await broker.ConnectAsync("c", version);
        await client.SendAsync(new SubscribePacket
        {
            PacketId = 2,
            Subscriptions =
            [
                new TopicSubscription { TopicFilter = "secret/#", MaximumQoS = QualityOfService.AtLeastOnce },
                new TopicSubscription { TopicFilter = "open/#", MaximumQoS = QualityOfService.AtLeastOnce },
            ],
        });
        var ack = await client.ReceiveAsync<SubAckPacket>();
        Assert.Equal(2, ack.ReasonCodes.Count);
        Assert.Equal(expected, version == MqttProtocolVersion.V500 ? (byte)ack.ReasonCodes[0] : (byte)(ack.ReasonCodes[0] >= ReasonCode.UnspecifiedError ? 0x80 : (byte)ack.ReasonCodes[0]));
        Assert.Equal(ReasonCode.GrantedQoS1, ack.ReasonCodes[1]);
        Assert.Equal(1, broker.Broker.Index.Count);

        broker.Broker.Publish(new PublishPacket { Topic = "secret/x", Payload = "x"u8.ToArray() });
        await client.ExpectNothingAsync();
    }

    private sealed class DenyingAuthorizer : IAuthorizer
    {
        public ValueTask<bool> AuthorizeAsync(ClientPrincipal principal, MqttAction action, string topic, CancellationToken cancellationToken)
            => ValueTask.FromResult(!topic.StartsWith("secret", StringComparison.Ordinal));
    }
}
