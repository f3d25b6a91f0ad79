using Manta.Broker.Extensibility;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Extensibility;

/// <summary>IAuthenticator: refusals become CONNACK codes; an accepted principal is what authorizers see.</summary>
public sealed class AuthenticatorTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V311, 4)]
    [InlineData(MqttProtocolVersion.V310, 4)]
    [InlineData(MqttProtocolVersion.V500, 0x86)]
    public async Task Refusal_gets_bad_user_name_or_password(MqttProtocolVersion version, byte expected)
    {
        var authenticator = new PasswordAuthenticator();
        await using var broker = new TestBroker(authenticator: authenticator);
        await using var client = broker.NewClient(version);
        await client.SendAsync(new ConnectPacket { ProtocolName = version == MqttProtocolVersion.V310 ? "MQIsdp" : "MQTT", ProtocolVersion = version, ClientId = "c", UserName = "alice", Password = "wrong"u8.ToArray() });
        var raw = await client.ReceiveRawAsync();
        Assert.NotNull(raw);
        Assert.Equal(0x20, raw[0]);
        Assert.Equal(expected, raw[3]);
        Assert.Null(await client.ReceiveRawAsync());
        Assert.Null(broker.Broker.Sessions.Find("c"));
        Assert.Equal("c", authenticator.LastClientId);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Acceptance_connects_and_the_principal_reaches_the_authorizer(MqttProtocolVersion version)
    {
        var authorizer = new RecordingAuthorizer();
        await using var broker = new TestBroker(authenticator: new PasswordAuthenticator(), authorizer: authorizer);
        await using var client = broker.NewClient(version);
        var ack = await client.ConnectAsync("c", userName: "alice", password: "secret"u8.ToArray());
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);

        await client.SubscribeAsync("t");
        var principal = Assert.Single(authorizer.Seen);
        Assert.Equal("alice", principal.UserName);
        Assert.Equal("gold", principal.Attributes["tier"]);
    }

    [Fact]
    public async Task V5_authenticator_reason_code_is_passed_through()
    {
        await using var broker = new TestBroker(authenticator: new PasswordAuthenticator());
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await client.ConnectAsync("c", userName: "banned");
        Assert.Equal(ReasonCode.Banned, ack.ReasonCode);
    }

    private sealed class PasswordAuthenticator : IAuthenticator
    {
        public string? LastClientId { get; private set; }

        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
        {
            LastClientId = request.ClientId;
            if (request.Connect.UserName == "banned")
            {
                return ValueTask.FromResult(AuthenticationResult.Fail(ReasonCode.Banned, "banned"));
            }

            if (request.Connect.UserName == "alice" && request.Connect.Password is { } password && password.AsSpan().SequenceEqual("secret"u8))
            {
                return ValueTask.FromResult(AuthenticationResult.Success(new ClientPrincipal(request.ClientId, "alice", new Dictionary<string, string> { ["tier"] = "gold" })));
            }

            return ValueTask.FromResult(AuthenticationResult.Fail(ReasonCode.BadUserNameOrPassword, "bad credentials"));
        }
    }

    private sealed class RecordingAuthorizer : IAuthorizer
    {
        public List<ClientPrincipal> Seen { get; } = [];

        public ValueTask<bool> AuthorizeAsync(ClientPrincipal principal, MqttAction action, string topic, CancellationToken cancellationToken)
        {
            lock (Seen)
            {
                Seen.Add(principal);
            }

            return ValueTask.FromResult(true);
        }
    }
}
