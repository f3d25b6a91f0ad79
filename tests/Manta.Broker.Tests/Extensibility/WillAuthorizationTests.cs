using Manta.Broker.Extensibility;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Extensibility;

/// <summary>A will is checked against the authorizer when the client connects.</summary>
public sealed class WillAuthorizationTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.NotAuthorized)]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.NotAuthorized)]
    public async Task A_will_the_client_may_not_publish_refuses_the_connect(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(authorizer: new WillTopicAuthorizer());
        await using var client = broker.NewClient(version);
        var ack = await client.ConnectAsync("w", will: new WillMessage { Topic = "forbidden/will", Payload = "x"u8.ToArray() });
        Assert.Equal(expected, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task An_allowed_will_is_accepted_and_published_on_a_drop()
    {
        await using var broker = new TestBroker(authorizer: new WillTopicAuthorizer());
        await using var watcher = await broker.ConnectAsync("watcher");
        await watcher.SubscribeAsync("allowed/#");
        await using var client = broker.NewClient();
        var ack = await client.ConnectAsync("w", will: new WillMessage { Topic = "allowed/will", Payload = "gone"u8.ToArray() });
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);

        await client.DropAsync();
        Assert.Equal("allowed/will", (await watcher.ReceiveAsync<PublishPacket>()).Topic);
    }

    private sealed class WillTopicAuthorizer : IAuthorizer
    {
        public ValueTask<bool> AuthorizeAsync(ClientPrincipal principal, MqttAction action, string topic, CancellationToken cancellationToken)
            => ValueTask.FromResult(!topic.StartsWith("forbidden", StringComparison.Ordinal));
    }
}
