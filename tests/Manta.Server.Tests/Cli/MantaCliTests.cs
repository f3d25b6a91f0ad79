using System.Globalization;
using System.Text.Json;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.Cli;

/// <summary>The <c>manta</c> command line, run as the real executable.</summary>
public sealed class MantaCliTests
{
    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var (process, code) = await MantaProcess.RunAsync("--version");
        await using var _ = process;

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", Assert.Single(process.StdoutLines, l => l.Length > 0));
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (process, code) = await MantaProcess.RunAsync("--help");
        await using var _ = process;

        Assert.Equal(0, code);
        var help = string.Join('\n', process.StdoutLines);
        foreach (var command in new[] { "serve", "pub", "sub", "cert" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s", help);
        }
    }

    [Fact]
    public async Task An_unknown_argument_is_a_usage_error()
    {
        var (process, code) = await MantaProcess.RunAsync("bogus");
        await using var _ = process;

        Assert.Equal(2, code);
        Assert.Contains("bogus", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_prints_what_pub_sends_at_qos_1()
    {
        await using var server = await MantaServer.StartAsync();
        var topic = Timeouts.Topic("cli");
        await using var sub = MantaProcess.Start("sub", "-h", server.Host, "-p", P(server.Port), "-t", topic, "-q", "1", "-v", "-C", "1", "-W", "15");

        // sub tells nobody when its SUBACK arrived: publish until it has printed the message and exited.
        var deadline = DateTime.UtcNow + Timeouts.Process;
        while (!sub.HasExited && DateTime.UtcNow < deadline)
        {
            var (pub, code) = await MantaProcess.RunAsync("pub", "-h", server.Host, "-p", P(server.Port), "-t", topic, "-m", "hello world", "-q", "1", "-D", "origin=cli");
            await using (pub)
            {
                Assert.True(code == 0, $"pub exited {code}\n{pub.Describe()}");
            }

            await Task.Delay(200);
        }

        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Process));
        Assert.Equal([$"{topic} hello world"], sub.StdoutLines.Where(l => l.Length > 0));
    }

    [Fact]
    public async Task Pub_to_a_closed_port_exits_1()
    {
        var (process, code) = await MantaProcess.RunAsync("pub", "-h", "127.0.0.1", "-p", P(MantaServer.FreeTcpPort()), "-t", "a", "-m", "x");
        await using var _ = process;

        Assert.Equal(1, code);
        Assert.Contains("cannot connect", process.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cert_dev_writes_a_pki_that_mosquitto_pub_trusts_over_tls()
    {
        var directory = Path.Combine(Path.GetTempPath(), "manta-cert-dev-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (cert, code) = await MantaProcess.RunAsync("cert", "dev", "--out", directory, "--host", "mqtt.example.test");
            await using (cert)
            {
                Assert.True(code == 0, cert.Describe());
                Assert.Contains(cert.StdoutLines, l => l.Contains("Manta:Certificate:CertificatePath=", StringComparison.Ordinal));
                Assert.Contains(cert.StdoutLines, l => l.Contains("mosquitto_pub", StringComparison.Ordinal));
            }

            foreach (var file in new[] { "ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key" })
            {
                Assert.True(File.Exists(Path.Combine(directory, file)), file);
            }

            await using var server = await MantaServer.StartAsync(
                "--Manta:Listeners:0:Transport=tls",
                $"--Manta:Certificate:CertificatePath={Path.Combine(directory, "server.pem")}",
                $"--Manta:Certificate:KeyPath={Path.Combine(directory, "server.key")}");
            var topic = Timeouts.Topic("certdev");

            // Retained, so `manta sub` over TLS (with the client certificate) sees it whenever it subscribes.
            await using (var mosquitto = ExternalProcess.Start(
                "mosquitto_pub",
                ["-h", "localhost", "-p", P(server.Port), "--cafile", Path.Combine(directory, "ca.pem"), "-t", topic, "-m", "over tls", "-q", "1", "-r"]))
            {
                var exit = await mosquitto.WaitForExitAsync(Timeouts.Process);
                Assert.True(exit == 0, $"mosquitto_pub exited {exit}\n{mosquitto.Describe()}");
            }

            var (sub, subCode) = await MantaProcess.RunAsync(
                "sub", "-h", "localhost", "-p", P(server.Port), "--cafile", Path.Combine(directory, "ca.pem"),
                "--cert", Path.Combine(directory, "client.pem"), "--key", Path.Combine(directory, "client.key"),
                "-t", topic, "-C", "1", "-W", "10");
            await using (sub)
            {
                Assert.True(subCode == 0, sub.Describe());
                Assert.Equal(["over tls"], sub.StdoutLines.Where(l => l.Length > 0));
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Log_format_json_writes_json_lines()
    {
        var port = MantaServer.FreeTcpPort();
        await using var manta = MantaProcess.StartServer("--log-format", "json", $"--Manta:Listeners:0:Port={P(port)}", "--Manta:Listeners:0:Address=127.0.0.1", "--Logging:LogLevel:Manta=Debug");
        await MantaProcess.WaitUntilListeningAsync(manta, port);

        var clientId = Timeouts.ClientId("json");
        await using (await NetClient.ConnectAsync("127.0.0.1", port, MqttProtocolVersion.V500, clientId))
        {
            var line = await manta.WaitForLineAsync(l => l.Contains(clientId, StringComparison.Ordinal) && l.Contains("connected", StringComparison.Ordinal), what: "logging the connect");
            using var json = JsonDocument.Parse(line);
            Assert.Equal(1001, json.RootElement.GetProperty("EventId").GetInt32());
            Assert.Equal(clientId, json.RootElement.GetProperty("State").GetProperty("ClientId").GetString());
        }

        Assert.All(manta.StdoutLines.Where(l => l.Length > 0), l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task Config_file_sets_the_listener_and_data_dir_is_created()
    {
        var port = MantaServer.FreeTcpPort();
        var config = Path.Combine(Path.GetTempPath(), "manta-config-" + Guid.NewGuid().ToString("N") + ".json");
        var data = Path.Combine(Path.GetTempPath(), "manta-data-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(config, $$"""{ "Manta": { "Listeners": [ { "Address": "127.0.0.1", "Port": {{P(port)}} } ] } }""");
        try
        {
            await using var manta = MantaProcess.StartServer("--config", config, "--data-dir", data);
            await MantaProcess.WaitUntilListeningAsync(manta, port);
            Assert.True(Directory.Exists(data), "--data-dir was not created");

            await using var client = await NetClient.ConnectAsync("127.0.0.1", port, MqttProtocolVersion.V311, Timeouts.ClientId("cfg"));
        }
        finally
        {
            File.Delete(config);
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_missing_config_file_exits_2_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "manta-missing-" + Guid.NewGuid().ToString("N") + ".json");

        var (process, code) = await MantaProcess.RunAsync("serve", "--config", missing);
        await using var _ = process;

        Assert.Equal(2, code);
        Assert.Contains(missing, process.Stderr, StringComparison.Ordinal);
    }
}
