using Manta.Broker.Authentication;
using Manta.Broker.Extensibility;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Manta.Tests.Shared;

namespace Manta.Broker.Tests.Authentication;

/// <summary>
/// MQTT 5 enhanced authentication (section 4.12) over pipes, with SCRAM-SHA-256 as the method:
/// CONNECT -> AUTH 0x18 -> AUTH 0x18 -> CONNACK, the refusals, and re-authentication (4.12.1).
/// </summary>
public sealed class EnhancedAuthenticationTests
{
    private const string Scram = ScramSha256Authenticator.MethodName;

    [Fact]
    public async Task Scram_exchange_connects_and_connack_carries_the_server_signature()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var scram = new ScramTestClient("alice", "secret");

        await SendConnectAsync(client, Scram, scram.ClientFirst());
        var challenge = await client.ReceiveAsync<AuthPacket>();
        Assert.Equal(ReasonCode.ContinueAuthentication, challenge.ReasonCode);
        Assert.Equal(Scram, challenge.Properties!.AuthenticationMethod);

        await client.SendAsync(Continue(Scram, scram.ClientFinal(challenge.Properties.AuthenticationData!)));
        var ack = await client.ReceiveAsync<ConnAckPacket>();
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        Assert.Equal(Scram, ack.Properties!.AuthenticationMethod);
        Assert.True(scram.VerifyServerFinal(ack.Properties.AuthenticationData));
        Assert.NotNull(broker.Broker.Sessions.Find("c"));

        await client.PingAsync();
    }

    [Fact]
    public async Task Client_first_may_come_in_an_auth_packet_after_an_empty_connect()
    {
        // A method that needs nothing in CONNECT is still the exchange's first step: SCRAM gets empty data and refuses it.
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await SendConnectAsync(client, Scram, null);
        var ack = await client.ReceiveAsync<ConnAckPacket>();
        Assert.Equal(ReasonCode.NotAuthorized, ack.ReasonCode);
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("mallory", "secret")]
    public async Task Wrong_password_and_unknown_user_both_get_0x86_with_the_same_reason(string user, string password)
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await RunExchangeAsync(client, new ScramTestClient(user, password));
        Assert.Equal(ReasonCode.BadUserNameOrPassword, ack.ReasonCode);
        Assert.Equal("bad user name or password", ack.Properties!.ReasonString);
        Assert.Null(ack.Properties.AuthenticationData);
        Assert.Null(await client.ReceiveAsync());
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }

    [Fact]
    public async Task Unknown_method_gets_0x8c()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await SendConnectAsync(client, "KERBEROS", [1, 2, 3]);
        var ack = await client.ReceiveAsync<ConnAckPacket>();
        Assert.Equal(ReasonCode.BadAuthenticationMethod, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task Packet_other_than_auth_mid_exchange_is_a_protocol_error()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await SendConnectAsync(client, Scram, new ScramTestClient("alice", "secret").ClientFirst());
        await client.ReceiveAsync<AuthPacket>();

        await client.PublishAsync("t", "sneaked in");
        var ack = await client.ReceiveAsync<ConnAckPacket>();
        Assert.Equal(ReasonCode.ProtocolError, ack.ReasonCode);
        Assert.Null(await client.ReceiveAsync());
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }

    [Fact]
    public async Task Auth_with_another_method_mid_exchange_is_a_protocol_error()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var scram = new ScramTestClient("alice", "secret");
        await SendConnectAsync(client, Scram, scram.ClientFirst());
        var challenge = await client.ReceiveAsync<AuthPacket>();
        await client.SendAsync(Continue("SCRAM-SHA-1", scram.ClientFinal(challenge.Properties!.AuthenticationData!)));
        Assert.Equal(ReasonCode.ProtocolError, (await client.ReceiveAsync<ConnAckPacket>()).ReasonCode);
    }

    [Fact]
    public async Task Disconnect_mid_exchange_closes_quietly()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await SendConnectAsync(client, Scram, new ScramTestClient("alice", "secret").ClientFirst());
        await client.ReceiveAsync<AuthPacket>();
        await client.SendAsync(new DisconnectPacket());
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task Stalled_exchange_is_closed_by_the_connect_timeout()
    {
        await using var broker = NewBroker(o => o.ConnectTimeout = TimeSpan.FromSeconds(10));
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await SendConnectAsync(client, Scram, new ScramTestClient("alice", "secret").ClientFirst());
        await client.ReceiveAsync<AuthPacket>();

        broker.Advance(TimeSpan.FromSeconds(9));
        await client.ExpectNothingAsync();

        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await client.ReceiveAsync());
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);
        Assert.Null(broker.Broker.Sessions.Find("c"));
    }

    [Fact]
    public async Task Authenticator_does_not_run_after_enhanced_authentication_and_the_scram_user_is_the_principal()
    {
        var authorizer = new RecordingAuthorizer();
        await using var broker = new TestBroker(authenticator: new RefuseAll(), authorizer: authorizer, enhancedAuthenticators: [NewScram()]);
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        var ack = await RunExchangeAsync(client, new ScramTestClient("alice", "secret"));
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);

        await client.SubscribeAsync("t");
        Assert.Equal("alice", authorizer.LastPrincipal!.UserName);
        Assert.Equal("c", authorizer.LastPrincipal.ClientId);
    }

    [Fact]
    public async Task Authenticator_still_runs_for_a_connect_without_a_method()
    {
        await using var broker = new TestBroker(authenticator: new RefuseAll(), enhancedAuthenticators: [NewScram()]);
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.NotAuthorized, (await client.ConnectAsync("c")).ReasonCode);
    }

    [Fact]
    public async Task Reauthentication_succeeds_with_auth_0x00_and_the_server_signature()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Success, (await RunExchangeAsync(client, new ScramTestClient("alice", "secret"))).ReasonCode);

        var again = new ScramTestClient("alice", "secret", "another-client-nonce");
        await client.SendAsync(new AuthPacket { ReasonCode = ReasonCode.ReAuthenticate, Properties = new MqttProperties { AuthenticationMethod = Scram, AuthenticationData = again.ClientFirst() } });
        var challenge = await client.ReceiveAsync<AuthPacket>();
        Assert.Equal(ReasonCode.ContinueAuthentication, challenge.ReasonCode);

        // Other packets keep flowing during re-authentication (section 4.12.1).
        await client.PingAsync();

        await client.SendAsync(Continue(Scram, again.ClientFinal(challenge.Properties!.AuthenticationData!)));
        var done = await client.ReceiveAsync<AuthPacket>();
        Assert.Equal(ReasonCode.Success, done.ReasonCode);
        Assert.Equal(Scram, done.Properties!.AuthenticationMethod);
        Assert.True(again.VerifyServerFinal(done.Properties.AuthenticationData));

        await client.PingAsync();
    }

    [Fact]
    public async Task Failed_reauthentication_disconnects_with_0x86()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await RunExchangeAsync(client, new ScramTestClient("alice", "secret"));

        var wrong = new ScramTestClient("alice", "wrong");
        await client.SendAsync(new AuthPacket { ReasonCode = ReasonCode.ReAuthenticate, Properties = new MqttProperties { AuthenticationMethod = Scram, AuthenticationData = wrong.ClientFirst() } });
        var challenge = await client.ReceiveAsync<AuthPacket>();
        await client.SendAsync(Continue(Scram, wrong.ClientFinal(challenge.Properties!.AuthenticationData!)));
        var disconnect = await client.ExpectClosedAsync();
        Assert.Equal(ReasonCode.BadUserNameOrPassword, disconnect!.ReasonCode);
    }

    [Fact]
    public async Task Reauthentication_with_another_method_is_a_protocol_error_MQTT_4_12_1_1()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await RunExchangeAsync(client, new ScramTestClient("alice", "secret"));

        await client.SendAsync(new AuthPacket { ReasonCode = ReasonCode.ReAuthenticate, Properties = new MqttProperties { AuthenticationMethod = "PLAIN", AuthenticationData = [0] } });
        Assert.Equal(ReasonCode.ProtocolError, (await client.ExpectClosedAsync())!.ReasonCode);
    }

    [Fact]
    public async Task Auth_on_a_connection_made_without_a_method_is_a_protocol_error()
    {
        await using var broker = NewBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        await client.SendAsync(new AuthPacket { ReasonCode = ReasonCode.ReAuthenticate, Properties = new MqttProperties { AuthenticationMethod = Scram, AuthenticationData = [0] } });
        Assert.Equal(ReasonCode.ProtocolError, (await client.ExpectClosedAsync())!.ReasonCode);
    }

    [Fact]
    public async Task Continue_without_an_exchange_under_way_is_a_protocol_error()
    {
        await using var broker = NewBroker();
        await using var client = broker.NewClient(MqttProtocolVersion.V500);
        await RunExchangeAsync(client, new ScramTestClient("alice", "secret"));
        await client.SendAsync(Continue(Scram, [1]));
        Assert.Equal(ReasonCode.ProtocolError, (await client.ExpectClosedAsync())!.ReasonCode);
    }

    private static TestBroker NewBroker(Action<BrokerOptions>? configure = null) => new(configure: configure, enhancedAuthenticators: [NewScram()]);

    private static ScramSha256Authenticator NewScram()
    {
        var store = new ScramCredentialStore();
        store.Add("alice", "secret");
        return new ScramSha256Authenticator(store);
    }

    private static Task SendConnectAsync(PipeClient client, string method, byte[]? data) => client.SendAsync(new ConnectPacket
    {
        ProtocolVersion = MqttProtocolVersion.V500,
        ClientId = "c",
        Properties = new MqttProperties { AuthenticationMethod = method, AuthenticationData = data },
    });

    /// <summary>CONNECT with client-first, AUTH with client-final; returns the CONNACK.</summary>
    private static async Task<ConnAckPacket> RunExchangeAsync(PipeClient client, ScramTestClient scram)
    {
        await SendConnectAsync(client, Scram, scram.ClientFirst());
        var challenge = await client.ReceiveAsync<AuthPacket>();
        await client.SendAsync(Continue(Scram, scram.ClientFinal(challenge.Properties!.AuthenticationData!)));
        return await client.ReceiveAsync<ConnAckPacket>();
    }

    private static AuthPacket Continue(string method, byte[] data)
        => new() { ReasonCode = ReasonCode.ContinueAuthentication, Properties = new MqttProperties { AuthenticationMethod = method, AuthenticationData = data } };

    private sealed class RefuseAll : IAuthenticator
    {
        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult(AuthenticationResult.Fail(ReasonCode.NotAuthorized, "no"));
    }

    private sealed class RecordingAuthorizer : IAuthorizer
    {
        public ClientPrincipal? LastPrincipal { get; private set; }

        public ValueTask<bool> AuthorizeAsync(ClientPrincipal principal, MqttAction action, string topic, CancellationToken cancellationToken)
        {
            LastPrincipal = principal;
            return ValueTask.FromResult(true);
        }
    }
}
