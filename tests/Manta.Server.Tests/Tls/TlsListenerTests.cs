using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Manta.Broker.Extensibility;
using Manta.Server.Hosting;
using Manta.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Tls;

/// <summary>MQTT over TLS and mutual TLS, with certificates made in the test, and clients we did not write.</summary>
public sealed class TlsListenerTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Mosquitto_clients_talk_over_tls_trusting_the_server_through_cafile(string version)
    {
        await using var host = await TlsHost.StartAsync(_certificates);
        var topic = Timeouts.Topic("tls");
        await using var sub = await SubAsync(host, version, ["--cafile", _certificates.CaPath], topic);
        Assert.Equal(0, await PubAsync(host, version, ["--cafile", _certificates.CaPath], topic, "over tls"));
        Assert.Contains("over tls", await NextMessageAsync(sub), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_server_cannot_connect()
    {
        await using var host = await TlsHost.StartAsync(_certificates);
        Assert.NotEqual(0, await PubAsync(host, "mqttv311", ["--cafile", _certificates.OtherCaPath], "t", "x"));
    }

    [Fact]
    public async Task Mutual_tls_accepts_a_client_certificate_from_the_configured_ca()
    {
        await using var host = await TlsHost.StartAsync(_certificates, "Required");
        var topic = Timeouts.Topic("mtls");
        string[] client = ["--cafile", _certificates.CaPath, "--cert", _certificates.ClientCertificatePath, "--key", _certificates.ClientKeyPath];
        await using var sub = await SubAsync(host, "mqttv5", client, topic);
        Assert.Equal(0, await PubAsync(host, "mqttv5", client, topic, "mutual"));
        Assert.Contains("mutual", await NextMessageAsync(sub), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("unknown CA")]
    [InlineData("expired")]
    public async Task Mutual_tls_rejects_clients_without_a_valid_certificate(string what)
    {
        await using var host = await TlsHost.StartAsync(_certificates, "Required");
        string[] client = what switch
        {
            "unknown CA" => ["--cafile", _certificates.CaPath, "--cert", _certificates.StrangerCertificatePath, "--key", _certificates.StrangerKeyPath],
            "expired" => ["--cafile", _certificates.CaPath, "--cert", _certificates.ExpiredCertificatePath, "--key", _certificates.ExpiredKeyPath],
            _ => ["--cafile", _certificates.CaPath],
        };
        Assert.NotEqual(0, await PubAsync(host, "mqttv311", client, "t", "refused"));
    }

    [Fact]
    public async Task The_client_certificate_reaches_the_authenticator()
    {
        var authenticator = new RecordingAuthenticator();
        await using var host = await TlsHost.StartAsync(_certificates, "Required", services => services.AddSingleton<IAuthenticator>(authenticator));
        using var ca = _certificates.LoadCa();
        using var clientCertificate = TestCertificates.LoadPair(_certificates.ClientCertificatePath, _certificates.ClientKeyPath);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", host.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("device-42")
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("localhost")
                .WithClientCertificates([clientCertificate])
                .WithCertificateValidationHandler(e => ChainsTo(ca, e.Certificate)))
            .Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        var result = await client.ConnectAsync(options, cts.Token);

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal("device-42", authenticator.SeenCertificateName);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task The_configured_alpn_name_is_negotiated_as_aws_iot_uses_it_on_443()
    {
        await using var host = await TlsHost.StartAsync(_certificates, "None", null, "--Manta:Listeners:0:Alpn:0=x-amzn-mqtt-ca");
        Assert.Equal("x-amzn-mqtt-ca", await NegotiatedAlpnAsync(host, "x-amzn-mqtt-ca"));
    }

    [Fact]
    public async Task Without_configured_alpn_names_none_is_negotiated()
    {
        await using var host = await TlsHost.StartAsync(_certificates);
        Assert.Equal(string.Empty, await NegotiatedAlpnAsync(host, "x-amzn-mqtt-ca"));
    }

    private async Task<string> NegotiatedAlpnAsync(TlsHost host, string offered)
    {
        using var ca = _certificates.LoadCa();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.Port);
        await using var ssl = new System.Net.Security.SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [new System.Net.Security.SslApplicationProtocol(offered)],
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsTo(ca, certificate),
        });
        return ssl.NegotiatedApplicationProtocol.ToString();
    }

    [Fact]
    public async Task A_renewed_certificate_is_used_without_a_restart()
    {
        await using var host = await TlsHost.StartAsync(_certificates);
        Assert.Equal("localhost", await PresentedNameAsync(host));

        _certificates.RenewServerCertificate("localhost-renewed");
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        Assert.Equal("localhost-renewed", await PresentedNameAsync(host));
    }

    [Fact]
    public void A_missing_certificate_file_stops_start_up_naming_the_setting()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => MantaHost.Build(
        [
            "--Manta:Listeners:0:Transport=tls",
            "--Manta:Listeners:0:Port=0",
            "--Manta:Certificate:CertificatePath=/nonexistent/server.pem",
            "--Manta:Certificate:KeyPath=/nonexistent/server.key",
        ]));
        Assert.Contains("Manta:Certificate:CertificatePath", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tls_listener_without_any_certificate_stops_start_up()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => MantaHost.Build(["--Manta:Listeners:0:Transport=tls", "--Manta:Listeners:0:Port=0"]));
        Assert.Contains("Manta:Listeners:0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_ca_bundle_stops_start_up_naming_the_setting()
    {
        var bogus = Path.Combine(_certificates.Directory, "bogus-ca.pem");
        File.WriteAllText(bogus, "not a certificate");
        var exception = Assert.Throws<OptionsValidationException>(() => MantaHost.Build(
        [
            "--Manta:Listeners:0:Transport=tls",
            "--Manta:Listeners:0:Port=0",
            "--Manta:Listeners:0:ClientCertificates=Required",
            $"--Manta:Listeners:0:ClientCaPath={bogus}",
            $"--Manta:Certificate:CertificatePath={_certificates.ServerCertificatePath}",
            $"--Manta:Certificate:KeyPath={_certificates.ServerKeyPath}",
        ]));
        Assert.Contains("Manta:Listeners:0:ClientCaPath", exception.Message, StringComparison.Ordinal);
    }

    private async Task<string?> PresentedNameAsync(TlsHost host)
    {
        string? presented = null;
        using var ca = _certificates.LoadCa();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", host.Port)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("localhost")
                .WithCertificateValidationHandler(e =>
                {
                    presented = new X509Certificate2Wrapper(e.Certificate).SimpleName;
                    return ChainsTo(ca, e.Certificate);
                }))
            .Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        var result = await client.ConnectAsync(options, cts.Token);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        await client.DisconnectAsync();
        return presented;
    }

    private static bool ChainsTo(X509Certificate2 ca, X509Certificate certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(server);
    }

    private static async Task<ExternalProcess> SubAsync(TlsHost host, string version, string[] tls, string topic)
    {
        var process = ExternalProcess.Start(
            "stdbuf",
            ["-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", host.Port.ToString(CultureInfo.InvariantCulture), "-V", version, .. tls, "-t", topic, "-C", "1", "-W", "15", "-d"]);
        await process.WaitForLineAsync(l => l.Contains("received SUBACK", StringComparison.Ordinal), what: "SUBACK over TLS");
        return process;
    }

    private static async Task<int> PubAsync(TlsHost host, string version, string[] tls, string topic, string payload)
    {
        await using var process = ExternalProcess.Start(
            "mosquitto_pub",
            ["-h", "127.0.0.1", "-p", host.Port.ToString(CultureInfo.InvariantCulture), "-V", version, .. tls, "-t", topic, "-m", payload, "-q", "1"]);
        return await process.WaitForExitAsync(Timeouts.Process);
    }

    private static async Task<string> NextMessageAsync(ExternalProcess sub)
    {
        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Process));
        return string.Join('\n', sub.StdoutLines);
    }

    private sealed class X509Certificate2Wrapper(X509Certificate certificate)
    {
        public string SimpleName
        {
            get
            {
                using var full = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return full.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            }
        }
    }

    private sealed class RecordingAuthenticator : IAuthenticator
    {
        public string? SeenCertificateName { get; private set; }

        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
        {
            SeenCertificateName = request.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            return ValueTask.FromResult(AuthenticationResult.Success(new ClientPrincipal(request.ClientId, request.Connect.UserName)));
        }
    }
}
