using System.Text;
using Manta.Server.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Manta.Tests.Shared;

namespace Manta.Server.Tests.Authentication;

/// <summary>
/// SCRAM-SHA-256 enhanced authentication end to end: the real host configured with a user
/// (<c>Manta:Authentication:Scram:Users</c>) and the MQTTnet client carrying the AUTH packets; the
/// SCRAM arithmetic on the client side is <see cref="ScramTestClient"/>.
/// </summary>
public sealed class ScramMqttNetTests(ScramServerFixture fixture) : IClassFixture<ScramServerFixture>
{
    private const string Method = "SCRAM-SHA-256";

    [Fact]
    public async Task Mqttnet_client_authenticates_and_verifies_the_server_signature()
    {
        var handler = new ScramHandler(new ScramTestClient("alice", "s3cret,=pw"));
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        var result = await client.ConnectAsync(Options(handler), cts.Token);

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(Method, result.AuthenticationMethod);
        Assert.True(handler.Scram.VerifyServerFinal(result.AuthenticationData));
        await client.DisconnectAsync();
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("nobody", "s3cret,=pw")]
    public async Task Wrong_password_or_unknown_user_is_refused_with_bad_user_name_or_password(string user, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        var result = await client.ConnectAsync(Options(new ScramHandler(new ScramTestClient(user, password))), cts.Token);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Mqttnet_client_reauthenticates()
    {
        var handler = new ScramHandler(new ScramTestClient("alice", "s3cret,=pw"));
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        await client.ConnectAsync(Options(handler), cts.Token);

        var again = new ScramTestClient("alice", "s3cret,=pw", "second-nonce");
        handler.Scram = again;
        await client.SendEnhancedAuthenticationExchangeDataAsync(
            new MqttEnhancedAuthenticationExchangeData { ReasonCode = MqttAuthenticateReasonCode.ReAuthenticate, AuthenticationData = again.ClientFirst() },
            cts.Token);

        var serverFinal = await handler.Reauthenticated.Task.WaitAsync(Timeouts.Expect);
        Assert.True(again.VerifyServerFinal(serverFinal));
        Assert.True(client.IsConnected);
        await client.DisconnectAsync();
    }

    private MqttClientOptions Options(ScramHandler handler) => new MqttClientOptionsBuilder()
        .WithTcpServer(fixture.Server.Host, fixture.Server.Port)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithClientId(Timeouts.ClientId("scram"))
        .WithEnhancedAuthentication(Method, handler.Scram.ClientFirst())
        .WithEnhancedAuthenticationHandler(handler)
        .Build();

    /// <summary>Answers each server-first with client-final; records the server-final of a re-authentication (AUTH 0x00).</summary>
    private sealed class ScramHandler(ScramTestClient scram) : IMqttEnhancedAuthenticationHandler
    {
        public ScramTestClient Scram { get; set; } = scram;

        public TaskCompletionSource<byte[]> Reauthenticated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task HandleEnhancedAuthenticationAsync(MqttEnhancedAuthenticationEventArgs eventArgs)
        {
            if (eventArgs.ReasonCode == MqttAuthenticateReasonCode.Success)
            {
                Reauthenticated.TrySetResult(eventArgs.AuthenticationData);
                return;
            }

            Assert.Equal(Method, eventArgs.AuthenticationMethod);
            await eventArgs.SendAsync(new SendMqttEnhancedAuthenticationDataOptions { Data = Scram.ClientFinal(eventArgs.AuthenticationData) }, eventArgs.CancellationToken);
        }
    }
}

/// <summary>One host for the class, with a SCRAM user whose password needs saslname-free escaping (it is not sent).</summary>
public sealed class ScramServerFixture : IAsyncLifetime
{
    public MantaServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MantaServer.StartAsync(
        "--Manta:Authentication:Scram:Users:0:UserName=alice",
        "--Manta:Authentication:Scram:Users:0:Password=s3cret,=pw");

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
