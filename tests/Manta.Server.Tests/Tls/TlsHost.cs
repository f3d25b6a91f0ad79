using System.Globalization;
using Manta.Server.Hosting;
using Manta.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Manta.Server.Tests.Tls;

/// <summary>A host whose only listener is TLS on a free loopback port, with the test certificates.</summary>
public sealed class TlsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<TlsHost> StartAsync(TestCertificates certificates, string clientCertificates = "None", Action<IServiceCollection>? configureServices = null, params string[] extraArgs)
    {
        var port = MantaServer.FreeTcpPort();
        var app = MantaHost.Build(
            [
                "--Manta:Listeners:0:Name=mqtts",
                "--Manta:Listeners:0:Address=127.0.0.1",
                $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
                "--Manta:Listeners:0:Transport=tls",
                $"--Manta:Listeners:0:ClientCertificates={clientCertificates}",
                $"--Manta:Listeners:0:ClientCaPath={certificates.CaPath}",
                $"--Manta:Certificate:CertificatePath={certificates.ServerCertificatePath}",
                $"--Manta:Certificate:KeyPath={certificates.ServerKeyPath}",
                "--Manta:Http:Enabled=false",
                "--Manta:Storage:Mode=Memory",
                "--Logging:LogLevel:Default=Warning",
                .. extraArgs,
            ],
            configureServices);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StartAsync(cts.Token);
        return new TlsHost(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
