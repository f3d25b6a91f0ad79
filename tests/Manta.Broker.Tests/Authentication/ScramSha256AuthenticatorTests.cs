using System.Net;
using System.Text;
using Manta.Broker.Authentication;
using Manta.Broker.Extensibility;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Tests.Shared;

namespace Manta.Broker.Tests.Authentication;

/// <summary>The SCRAM-SHA-256 server on its own: the RFC 7677 section 3 example, then every way a client can get it wrong.</summary>
public sealed class ScramSha256AuthenticatorTests
{
    // RFC 7677 section 3: user "user", password "pencil".
    private const string RfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcSalt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    [Fact]
    public async Task Rfc7677_example_exchange_is_reproduced_exactly()
    {
        var scram = RfcServer();
        var first = await scram.StartAsync(Request(), Bytes("n,,n=user," + "r=" + RfcClientNonce), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Continue, first.Kind);
        Assert.Equal(RfcServerFirst, Text(first.Data));

        var final = await scram.ContinueAsync(first.State, Bytes(RfcClientFinal), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Success, final.Kind);
        Assert.Equal(RfcServerFinal, Text(final.Data));
        Assert.Equal("user", final.Principal!.UserName);
        Assert.Equal("c", final.Principal.ClientId);
    }

    [Fact]
    public void Test_client_computes_the_rfc7677_proof()
    {
        var client = new ScramTestClient("user", "pencil", RfcClientNonce);
        Assert.Equal(RfcClientFinal, Text(client.ClientFinal(Bytes(RfcServerFirst))));
        Assert.True(client.VerifyServerFinal(Bytes(RfcServerFinal)));
        Assert.False(client.VerifyServerFinal(Bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")));
    }

    [Fact]
    public async Task Tampered_proof_is_bad_user_name_or_password()
    {
        var scram = RfcServer();
        var first = await scram.StartAsync(Request(), Bytes("n,,n=user,r=" + RfcClientNonce), CancellationToken.None);
        var step = await scram.ContinueAsync(first.State, Bytes(RfcClientFinal.Replace("p=dHzb", "p=eHzb", StringComparison.Ordinal)), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Fail, step.Kind);
        Assert.Equal(ReasonCode.BadUserNameOrPassword, step.ReasonCode);
    }

    [Fact]
    public async Task Unknown_user_gets_a_stable_salt_and_fails_like_a_wrong_password()
    {
        var store = new ScramCredentialStore();
        store.Add("user", "pencil");
        var scram = new ScramSha256Authenticator(store);

        var one = await scram.StartAsync(Request(), Bytes("n,,n=mallory,r=abc"), CancellationToken.None);
        var two = await scram.StartAsync(Request(), Bytes("n,,n=mallory,r=abc"), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Continue, one.Kind);
        Assert.Equal(Attribute(one.Data, "s"), Attribute(two.Data, "s"));
        Assert.Equal("4096", Attribute(one.Data, "i"));

        var unknown = await scram.ContinueAsync(one.State, new ScramTestClient("mallory", "guess", "abc").ClientFinal(one.Data.ToArray()), CancellationToken.None);
        var known = await scram.StartAsync(Request(), Bytes("n,,n=user,r=abc"), CancellationToken.None);
        var wrong = await scram.ContinueAsync(known.State, new ScramTestClient("user", "guess", "abc").ClientFinal(known.Data.ToArray()), CancellationToken.None);
        Assert.Equal(ReasonCode.BadUserNameOrPassword, unknown.ReasonCode);
        Assert.Equal(wrong.ReasonCode, unknown.ReasonCode);
        Assert.Equal(wrong.Reason, unknown.Reason);
    }

    [Fact]
    public async Task Escaped_user_names_are_unescaped()
    {
        var store = new ScramCredentialStore();
        store.Add("a,b=c", "pw");
        var scram = new ScramSha256Authenticator(store);
        var client = new ScramTestClient("a,b=c", "pw", "nonce");
        Assert.Contains("n=a=2Cb=3Dc,", client.ClientFirstBare + ",", StringComparison.Ordinal);
        var first = await scram.StartAsync(Request(), client.ClientFirst(), CancellationToken.None);
        var final = await scram.ContinueAsync(first.State, client.ClientFinal(first.Data.ToArray()), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Success, final.Kind);
        Assert.Equal("a,b=c", final.Principal!.UserName);
        Assert.True(client.VerifyServerFinal(final.Data.ToArray()));
    }

    [Fact]
    public async Task Y_flag_is_accepted_when_the_final_message_repeats_it()
    {
        var scram = RfcServer();
        var first = await scram.StartAsync(Request(), Bytes("y,,n=user,r=" + RfcClientNonce), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Continue, first.Kind);

        // c=biws is "n,,"; a "y,," header must come back as c=eSws, or a man in the middle could have stripped binding.
        var mismatched = await scram.ContinueAsync(first.State, Bytes(RfcClientFinal), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Fail, mismatched.Kind);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc")] // channel binding required: not offered
    [InlineData("x,,n=user,r=abc")] // no such GS2 flag
    [InlineData("n,,m=ext,n=user,r=abc")] // mandatory extension
    [InlineData("n,,n=us=2Xer,r=abc")] // bad saslname escape
    [InlineData("n,,n=,r=abc")] // empty user name
    [InlineData("n,,n=user,r=a b")] // nonce with a space
    [InlineData("n,,n=user")] // no nonce
    [InlineData("n,a=admin,n=user,r=abc")] // acting as someone else
    public async Task Malformed_or_unsupported_client_first_fails(string clientFirst)
    {
        var step = await RfcServer().StartAsync(Request(), Bytes(clientFirst), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Fail, step.Kind);
        Assert.Equal(ReasonCode.NotAuthorized, step.ReasonCode);
    }

    [Fact]
    public async Task Client_first_that_is_not_utf8_fails()
    {
        var step = await RfcServer().StartAsync(Request(), new byte[] { 0x6E, 0x2C, 0x2C, 0xFF, 0xFE }, CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Fail, step.Kind);
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqOXXX,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // another nonce
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")] // no proof
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not-base64!")]
    [InlineData("c=cD10bHMtdW5pcXVlLCw=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")] // binding data
    public async Task Malformed_client_final_fails(string clientFinal)
    {
        var scram = RfcServer();
        var first = await scram.StartAsync(Request(), Bytes("n,,n=user,r=" + RfcClientNonce), CancellationToken.None);
        var step = await scram.ContinueAsync(first.State, Bytes(clientFinal), CancellationToken.None);
        Assert.Equal(AuthenticationStepKind.Fail, step.Kind);
        Assert.Equal(ReasonCode.NotAuthorized, step.ReasonCode);
    }

    private static ScramSha256Authenticator RfcServer()
    {
        var store = new ScramCredentialStore();
        store.Add("user", "pencil", 4096, Convert.FromBase64String(RfcSalt));
        return new ScramSha256Authenticator(store, () => RfcServerNonce);
    }

    private static AuthenticationRequest Request() => new(
        new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c" },
        "c",
        new ConnectionInfo("t", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 1883)));

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    private static string Attribute(ReadOnlyMemory<byte> message, string name)
        => Text(message).Split(',').Single(a => a.StartsWith(name + "=", StringComparison.Ordinal))[2..];
}
