using System.Net;
using System.Net.Sockets;
using Manta.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Manta.Server.Tests.Support;

/// <summary>The real Manta host (<see cref="MantaHost.Build"/>) running in-process on a free loopback port.</summary>
public sealed class MantaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MantaServer(WebApplication app, int port, int httpPort)
    {
        _app = app;
        Port = port;
        HttpPort = httpPort;
    }

    /// <summary>The loopback address the server listens on.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port of the MQTT listener.</summary>
    public int Port { get; }

    /// <summary>The TCP port of the HTTP listener (<c>Manta:Http:Port</c>: /healthz, /readyz, /metrics), on <see cref="Host"/>.</summary>
    public int HttpPort { get; }

    /// <summary>The base address of the HTTP listener.</summary>
    public Uri HttpAddress => new($"http://{Host}:{HttpPort}/");

    /// <summary>Starts a host with the standard policy plus <paramref name="extraArgs"/> (e.g. <c>--Manta:Broker:Policy:MaximumQoS=AtLeastOnce</c>).</summary>
    public static Task<MantaServer> StartAsync(params string[] extraArgs) => StartAsync(null, extraArgs);

    /// <summary>Starts a host like <see cref="StartAsync(string[])"/>, with <paramref name="configureServices"/> passed to <see cref="MantaHost.Build"/> (e.g. an <c>IAuthenticator</c>).</summary>
    public static async Task<MantaServer> StartAsync(Action<IServiceCollection>? configureServices, params string[] extraArgs)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = FreeTcpPort();
            var httpPort = FreeTcpPort();
            string[] args =
            [
                $"--Manta:Listeners:0:Port={port}",
                "--Manta:Listeners:0:Address=127.0.0.1",
                // Never the default 8080: servers of parallel test classes would collide on it.
                $"--Manta:Http:Port={httpPort}",
                "--Manta:Http:Address=127.0.0.1",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Manta=Warning",
                // Parallel in-process hosts would share ./data; durability has its own process tests.
                "--Manta:Storage:Mode=Memory",
                .. extraArgs,
            ];
            var app = MantaHost.Build(args, configureServices);
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await app.StartAsync(cts.Token);
                return new MantaServer(app, port, httpPort);
            }
            catch (IOException exception)
            {
                // Another process took the port between our probe and Kestrel's bind: try another one.
                last = exception;
                await app.DisposeAsync();
            }
        }

        throw new InvalidOperationException("could not start the Manta host on a free port", last);
    }

    /// <summary>A port nobody listens on right now: bind 127.0.0.1:0, read the port, release it.</summary>
    public static int FreeTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>One server shared by the tests of a class (<c>IClassFixture&lt;MantaServerFixture&gt;</c>); classes run in parallel, each with its own server.</summary>
public sealed class MantaServerFixture : IAsyncLifetime
{
    private MantaServer? _server;

    /// <summary>The running server.</summary>
    public MantaServer Server => _server ?? throw new InvalidOperationException("fixture not initialised");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await MantaServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
