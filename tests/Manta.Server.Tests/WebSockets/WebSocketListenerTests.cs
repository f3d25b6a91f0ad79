using System.Globalization;
using System.Net.WebSockets;
using Manta.Server.Hosting;
using Manta.Server.Tests.Support;
using Manta.Server.Tests.Tls;
using Microsoft.AspNetCore.Builder;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.WebSockets;

/// <summary>MQTT over WebSocket and secure WebSocket (MQTT 5 section 6) with the MQTTnet client.</summary>
public sealed class WebSocketListenerTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task MQTTnet_publishes_and_receives_over_ws(MqttProtocolVersion version)
    {
        var (app, port) = await StartAsync("ws");
        await using var _ = app;
        await RoundTripAsync(version, $"ws://127.0.0.1:{port}/mqtt", tls: false);
    }

    [Fact]
    public async Task MQTTnet_publishes_and_receives_over_wss()
    {
        var (app, port) = await StartAsync("wss");
        await using var _ = app;
        await RoundTripAsync(MqttProtocolVersion.V500, $"wss://localhost:{port}/mqtt", tls: true);
    }

    [Fact]
    public async Task A_websocket_without_an_mqtt_subprotocol_is_refused_MQTT_6_0_0_3()
    {
        var (app, port) = await StartAsync("ws");
        await using var _ = app;
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("chat");
        var exception = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/mqtt"), CancellationToken.None));
        Assert.Contains("400", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_path_is_not_mqtt()
    {
        var (app, port) = await StartAsync("ws");
        await using var _ = app;
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/elsewhere"), CancellationToken.None));
    }

    private async Task RoundTripAsync(MqttProtocolVersion version, string uri, bool tls)
    {
        using var ca = _certificates.LoadCa();
        var topic = Timeouts.Topic("ws");
        using var subscriber = await ConnectAsync(version, uri, tls, ca);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        using var publisher = await ConnectAsync(version, uri, tls, ca);
        await publisher.PublishStringAsync(topic, "through a websocket", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("through a websocket", await received.Task.WaitAsync(Timeouts.Expect));
        await publisher.DisconnectAsync();
        await subscriber.DisconnectAsync();
    }

    private static async Task<IMqttClient> ConnectAsync(MqttProtocolVersion version, string uri, bool tls, System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri(uri))
            .WithProtocolVersion(version)
            .WithClientId(Timeouts.ClientId("ws"));
        if (tls)
        {
            builder.WithTlsOptions(o => o.UseTls().WithTrustChain([ca]).WithCertificateValidationHandler(_ => true));
        }

        var client = new MqttClientFactory().CreateMqttClient();
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        var result = await client.ConnectAsync(builder.Build(), cts.Token);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private async Task<(AsyncDisposableApp App, int Port)> StartAsync(string transport)
    {
        var port = MantaServer.FreeTcpPort();
        var app = MantaHost.Build(
        [
            "--Manta:Listeners:0:Name=websocket",
            "--Manta:Listeners:0:Address=127.0.0.1",
            $"--Manta:Listeners:0:Port={port.ToString(CultureInfo.InvariantCulture)}",
            $"--Manta:Listeners:0:Transport={transport}",
            $"--Manta:Certificate:CertificatePath={_certificates.ServerCertificatePath}",
            $"--Manta:Certificate:KeyPath={_certificates.ServerKeyPath}",
            "--Manta:Http:Enabled=false",
            "--Manta:Storage:Mode=Memory",
            "--Logging:LogLevel:Default=Warning",
        ]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StartAsync(cts.Token);
        return (new AsyncDisposableApp(app), port);
    }

    /// <summary>Stops and disposes a started host.</summary>
    private sealed class AsyncDisposableApp(WebApplication app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(cts.Token);
            await app.DisposeAsync();
        }
    }
}
