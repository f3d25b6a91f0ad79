using System.Globalization;
using System.Net.Sockets;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;

namespace Manta.Server.Tests.Executable;

/// <summary>The real <c>manta</c> executable (src/Manta.Server's build output) as a separate process.</summary>
public sealed class MantaExecutableTests
{
    private static ExternalProcess StartManta(params string[] arguments) => MantaProcess.StartServer(arguments);

    private static ExternalProcess StartManta(IReadOnlyDictionary<string, string>? environment, params string[] arguments) => MantaProcess.StartServer(environment, arguments);

    private static Task WaitUntilListeningAsync(ExternalProcess manta, int port) => MantaProcess.WaitUntilListeningAsync(manta, port);

    [Fact]
    public async Task Manta_logs_connect_and_disconnect_at_debug_level_and_stops_cleanly_on_sigterm()
    {
        // Every connect and disconnect is a Debug line (a connect storm should not be a log storm).
        var port = MantaServer.FreeTcpPort();
        await using var manta = StartManta(
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1",
            "--Logging:LogLevel:Manta=Debug",
            "--Logging:Console:FormatterName=simple");
        await WaitUntilListeningAsync(manta, port);

        var clientId = Timeouts.ClientId("exe");
        await using (var client = await NetClient.ConnectAsync("127.0.0.1", port, MqttProtocolVersion.V500, clientId))
        {
            await manta.WaitForLineAsync(l => l.Contains($"Client {clientId} connected", StringComparison.Ordinal), what: "logging the connect");
        }

        await manta.WaitForLineAsync(l => l.Contains($"Client {clientId} disconnected", StringComparison.Ordinal), what: "logging the disconnect");

        await manta.SignalAsync("TERM");
        var exitCode = await manta.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM.\n{manta.Describe()}");
    }

    [Fact]
    public async Task Sigterm_tells_connected_v5_clients_server_shutting_down_and_exits_promptly()
    {
        var port = MantaServer.FreeTcpPort();
        await using var manta = StartManta(
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1");
        await WaitUntilListeningAsync(manta, port);

        await using var client = await NetClient.ConnectAsync("127.0.0.1", port, MqttProtocolVersion.V500, Timeouts.ClientId("stay"));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await manta.SignalAsync("TERM");

        var disconnected = await client.Disconnected.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MQTTnet.MqttClientDisconnectReason.ServerShuttingDown, disconnected.Reason);

        // Kestrel alone would wait up to its shutdown timeout (30 s) for the open connection.
        var exitCode = await manta.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, exitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed} to stop");
    }

    [Fact]
    public async Task Environment_variables_configure_manta()
    {
        var port = MantaServer.FreeTcpPort();
        await using var manta = StartManta(new Dictionary<string, string>
        {
            ["MANTA__LISTENERS__0__PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["MANTA__LISTENERS__0__ADDRESS"] = "127.0.0.1",
            ["MANTA__BROKER__POLICY__MAXIMUMQOS"] = "AtLeastOnce",
        });
        await WaitUntilListeningAsync(manta, port);

        await using var client = await NetClient.ConnectAsync("127.0.0.1", port, MqttProtocolVersion.V500, Timeouts.ClientId("env"));
        Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, client.ConnectResult.MaximumQoS);
    }

    [Fact]
    public async Task A_port_in_use_stops_startup_with_a_message_naming_the_listener_settings()
    {
        using var occupant = new TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        await using var manta = StartManta(
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1");

        var exitCode = await manta.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(2, exitCode);
        Assert.Contains("Manta:Listeners", manta.Stderr, StringComparison.Ordinal);
        Assert.Contains("address already in use", manta.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Invalid_setting_makes_manta_exit_nonzero_naming_the_setting()
    {
        var port = MantaServer.FreeTcpPort();
        await using var manta = StartManta(
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            "--Manta:Listeners:0:Address=127.0.0.1",
            "--Manta:Broker:Policy:MaximumPacketSize=1");

        var exitCode = await manta.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exitCode != 0, $"manta accepted MaximumPacketSize=1.\n{manta.Describe()}");
        Assert.Contains("Manta:Broker:Policy:MaximumPacketSize", manta.Stderr + string.Join('\n', manta.StdoutLines), StringComparison.Ordinal);
    }
}
