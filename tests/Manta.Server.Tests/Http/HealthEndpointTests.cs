using System.Net;
using System.Text.Json;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Http;

/// <summary>/healthz and /readyz on the HTTP port of a running host.</summary>
public sealed class HealthEndpointTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>
{
    [Fact]
    public async Task Healthz_answers_200_while_the_process_serves()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.HttpAddress };

        using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("live", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_answers_200_with_every_check_ready_once_started()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.HttpAddress };

        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(text);
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.True(checks.GetProperty("host").GetProperty("ready").GetBoolean());
        Assert.True(checks.GetProperty("listeners").GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task The_MQTT_port_does_not_answer_HTTP()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{fixture.Server.Host}:{fixture.Server.Port}/"), Timeout = Timeouts.Expect };

        // The MQTT listener closes a connection whose first byte is not CONNECT.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(new Uri("/healthz", UriKind.Relative)));
    }
}

/// <summary>The operational endpoints stay off the MQTT-over-WebSocket port, which devices (maybe the internet) reach.</summary>
public sealed class HttpPortIsolationTests
{
    [Fact]
    public async Task Healthz_readyz_and_metrics_are_not_served_on_a_WebSocket_listener()
    {
        var wsPort = MantaServer.FreeTcpPort();
        await using var server = await MantaServer.StartAsync(
            $"--Manta:Listeners:1:Port={wsPort}", "--Manta:Listeners:1:Address=127.0.0.1", "--Manta:Listeners:1:Transport=ws", "--Manta:Listeners:1:Name=ws");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.Host}:{wsPort}/") };

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
