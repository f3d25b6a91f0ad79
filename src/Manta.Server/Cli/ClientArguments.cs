using System.CommandLine;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;

namespace Manta.Server.Cli;

/// <summary>The connection options <c>manta pub</c> and <c>manta sub</c> share (mosquitto_pub's spelling).</summary>
internal sealed class ClientArguments
{
    public Option<string> Host { get; } = new("--host", "-h") { Description = "Broker host.", DefaultValueFactory = _ => "localhost" };

    public Option<int?> Port { get; } = new("--port", "-p") { Description = "Broker port (default 1883, 8883 with --tls)." };

    public Option<int> Qos { get; } = new("--qos", "-q") { Description = "Quality of service: 0, 1 or 2.", DefaultValueFactory = _ => 0 };

    public Option<string?> User { get; } = new("--username", "-u") { Description = "User name." };

    public Option<string?> Password { get; } = new("--pw", "-P") { Description = "Password." };

    public Option<string> ProtocolVersion { get; } = new("--protocol-version", "-V") { Description = "MQTT version: 3.1.1 or 5.", DefaultValueFactory = _ => "5" };

    public Option<string?> ClientId { get; } = new("--id", "-i") { Description = "Client identifier (default: a random one)." };

    public Option<bool> Tls { get; } = new("--tls") { Description = "Connect over TLS." };

    public Option<FileInfo?> CaFile { get; } = new("--cafile") { Description = "PEM file of the CA(s) the server certificate must chain to (implies --tls)." };

    public Option<FileInfo?> Cert { get; } = new("--cert") { Description = "Client certificate (PEM) for mutual TLS, with --key (implies --tls)." };

    public Option<FileInfo?> Key { get; } = new("--key") { Description = "Private key (PEM) of --cert." };

    public Option<bool> Insecure { get; } = new("--insecure") { Description = "Do not check the server certificate (testing only; implies --tls)." };

    public void AddTo(Command command)
    {
        Qos.AcceptOnlyFromAmong("0", "1", "2");
        ProtocolVersion.AcceptOnlyFromAmong("3.1.1", "311", "mqttv311", "5", "mqttv5");
        command.Options.Add(MantaCommandLine.Help(dashH: false));
        foreach (var option in new Option[] { Host, Port, Qos, User, Password, ProtocolVersion, ClientId, Tls, CaFile, Cert, Key, Insecure })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>MQTTnet client options for <paramref name="parse"/>.</summary>
    public MqttClientOptions Build(ParseResult parse)
    {
        var host = parse.GetValue(Host)!;
        var caFile = parse.GetValue(CaFile);
        var cert = parse.GetValue(Cert);
        var key = parse.GetValue(Key);
        var insecure = parse.GetValue(Insecure);
        var tls = parse.GetValue(Tls) || caFile is not null || cert is not null || insecure;
        var port = parse.GetValue(Port) ?? (tls ? 8883 : 1883);
        var version = parse.GetValue(ProtocolVersion) is "5" or "mqttv5" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(version)
            .WithClientId(parse.GetValue(ClientId) ?? "manta-" + Guid.NewGuid().ToString("N")[..16])
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (parse.GetValue(User) is { } user)
        {
            builder.WithCredentials(user, parse.GetValue(Password));
        }

        if (tls)
        {
            var trusted = caFile is null ? null : LoadCas(caFile.FullName);
            var clientCertificates = cert is null ? null : new X509Certificate2Collection(LoadPair(cert.FullName, (key ?? cert).FullName));
            builder.WithTlsOptions(options =>
            {
                options.UseTls().WithTargetHost(host);
                if (clientCertificates is not null)
                {
                    options.WithClientCertificates(clientCertificates);
                }

                if (insecure)
                {
                    options.WithCertificateValidationHandler(_ => true);
                }
                else if (trusted is not null)
                {
                    options.WithCertificateValidationHandler(e => ChainsTo(trusted, e.Certificate, e.SslPolicyErrors));
                }
            });
        }

        return builder.Build();
    }

    private static X509Certificate2Collection LoadCas(string path)
    {
        var cas = new X509Certificate2Collection();
        cas.ImportFromPemFile(path);
        return cas.Count > 0 ? cas : throw new InvalidDataException($"{path} holds no certificate");
    }

    private static X509Certificate2 LoadPair(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static bool ChainsTo(X509Certificate2Collection trusted, X509Certificate? presented, SslPolicyErrors errors)
    {
        // The name must match and a certificate must be there; the chain is checked against --cafile only.
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(certificate);
    }
}
