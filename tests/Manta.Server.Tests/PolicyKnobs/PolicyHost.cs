using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.PolicyKnobs;

/// <summary>A dedicated host started with one policy's command-line arguments, shared by the tests of a class.</summary>
public abstract class PolicyHost(params string[] args) : IAsyncLifetime
{
    private MantaServer? _server;

    /// <summary>The running server.</summary>
    public MantaServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await MantaServer.StartAsync(args);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Small helpers shared by the policy tests.</summary>
internal static class PolicyAssert
{
    /// <summary>Waits (bounded) until MQTTnet reports <paramref name="client"/> disconnected; returns the event.</summary>
    public static async Task<MQTTnet.MqttClientDisconnectedEventArgs> DisconnectedAsync(NetClient client)
    {
        var done = await Task.WhenAny(client.Disconnected, Task.Delay(Timeouts.Expect));
        Assert.True(done == client.Disconnected, $"client {client.ClientId} was not disconnected within {Timeouts.Expect.TotalSeconds:0}s");
        return await client.Disconnected;
    }

    /// <summary>Runs mosquitto_pub (bounded) and returns its exit code and output, without asserting success.</summary>
    public static async Task<(int Code, string Output)> MosquittoPubAsync(MantaServer server, string version, params string[] arguments)
    {
        await using var process = ExternalProcess.Start(
            "mosquitto_pub",
            ["-h", server.Host, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version, "-d", .. arguments]);
        var code = await process.WaitForExitAsync(Timeouts.Process);
        return (code, process.Describe());
    }
}

/// <summary>A CONNECT the server is expected to refuse, made by MQTTnet.</summary>
internal static class Refused
{
    /// <summary>The CONNACK result code MQTTnet reports for a connection attempt (MQTTnet 5 returns a non-success CONNACK as a result).</summary>
    public static async Task<MQTTnet.MqttClientConnectResultCode> ResultCodeAsync(Func<Task<NetClient>> connect)
    {
        await using var client = await connect();
        return client.ConnectResult.ResultCode;
    }
}
