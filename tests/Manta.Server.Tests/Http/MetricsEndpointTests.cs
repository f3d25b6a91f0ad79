using Manta.Broker.Extensibility;
using ReasonCode = Manta.Protocol.ReasonCode;
using Manta.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Http;

/// <summary>/metrics in the Prometheus text format, following the traffic the test sends.</summary>
[Collection(nameof(HttpSerialCollection))]
public sealed class MetricsEndpointTests
{
    private const string Listener = "mqtt";

    [Fact]
    public async Task Metrics_lists_the_broker_instruments_in_Prometheus_text_format()
    {
        await using var server = await MantaServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        await using var client = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500);

        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var scrape = await PrometheusScrape.WaitAsync(http, s => s.Sum("mqtt_server_connections") >= 1);

        foreach (var name in new[]
        {
            "mqtt_server_connections", "mqtt_server_sessions", "mqtt_server_subscriptions", "mqtt_server_retained_messages",
            "mqtt_server_inflight", "mqtt_server_queue_depth", "mqtt_server_connections_opened_total", "mqtt_server_network_io_bytes_total",
        })
        {
            Assert.True(scrape.Has(name), $"{name} missing from:\n{scrape.Text}");
        }
    }

    [Fact]
    public async Task Connections_and_messages_follow_the_traffic()
    {
        const int Messages = 25;
        const string Payload = "0123456789";
        await using var server = await MantaServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var before = await PrometheusScrape.FromAsync(http);

        await using var subscriber = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500);
        await using var publisher = await NetClient.ConnectAsync(server, MqttProtocolVersion.V311);
        var topic = Timeouts.Topic("metrics");
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        for (var i = 0; i < Messages; i++)
        {
            await publisher.PublishAsync(topic, Payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        for (var i = 0; i < Messages; i++)
        {
            await subscriber.NextAsync();
        }

        var received = Counter("mqtt_server_messages_received_total", ("mqtt_qos", "1"));
        var sent = Counter("mqtt_server_messages_sent_total", ("mqtt_qos", "1"));
        var after = await PrometheusScrape.WaitAsync(http, s => received(s) - received(before) >= Messages && sent(s) - sent(before) >= Messages);

        Assert.Equal(Messages, received(after) - received(before));
        Assert.Equal(Messages, sent(after) - sent(before));
        Assert.Equal(Messages * Payload.Length, Delta(before, after, "mqtt_server_payload_received_bytes_total", ("mqtt_qos", "1")));
        Assert.Equal(Messages * Payload.Length, Delta(before, after, "mqtt_server_payload_sent_bytes_total", ("mqtt_qos", "1")));
        Assert.Equal(0, Delta(before, after, "mqtt_server_messages_received_total", ("mqtt_qos", "0")));
        Assert.Equal(1, Delta(before, after, "mqtt_server_connections", ("mqtt_listener", Listener), ("mqtt_protocol_version", "5.0")));
        Assert.Equal(1, Delta(before, after, "mqtt_server_connections", ("mqtt_listener", Listener), ("mqtt_protocol_version", "3.1.1")));
        Assert.Equal(1, Delta(before, after, "mqtt_server_subscriptions"));
        Assert.True(Delta(before, after, "mqtt_server_delivery_duration_seconds_count") >= Messages, after.Text);
        Assert.True(Delta(before, after, "mqtt_server_network_io_bytes_total", ("network_io_direction", "receive")) > 0);

        await publisher.DisconnectAsync();
        var closed = await PrometheusScrape.WaitAsync(http, s => Delta(before, s, "mqtt_server_connections", ("mqtt_protocol_version", "3.1.1")) == 0);
        Assert.Equal(0, Delta(before, closed, "mqtt_server_connections", ("mqtt_listener", Listener), ("mqtt_protocol_version", "3.1.1")));
    }

    [Fact]
    public async Task A_QoS_0_message_for_an_offline_session_is_counted_as_dropped_under_its_reason()
    {
        await using var server = await MantaServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var topic = Timeouts.Topic("dropped");
        var id = Timeouts.ClientId("away");
        await using (var away = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500, id, o => o.WithCleanStart(false).WithSessionExpiryInterval(300)))
        {
            await away.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtMostOnce);
            await away.DisconnectAsync();
        }

        var before = await PrometheusScrape.FromAsync(http);
        await using var publisher = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500);
        await publisher.PublishAsync(topic, "lost", MqttQualityOfServiceLevel.AtMostOnce);

        var after = await PrometheusScrape.WaitAsync(http, s => Delta(before, s, "mqtt_server_messages_dropped_total", ("reason", "offline_qos0")) >= 1
            && s.Sum("mqtt_server_sessions", ("mqtt_session_state", "away")) == 1);
        Assert.True(1 == Delta(before, after, "mqtt_server_messages_dropped_total", ("reason", "offline_qos0")), after.Text);
        Assert.Equal(1, after.Sum("mqtt_server_sessions", ("mqtt_session_state", "away")));
    }

    [Fact]
    public async Task A_CONNECT_refused_for_bad_credentials_counts_an_authentication_failure()
    {
        await using var server = await MantaServer.StartAsync(services => services.AddSingleton<IAuthenticator, OnlyAlice>());
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var before = await PrometheusScrape.FromAsync(http);

        await using (var alice = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500, configure: o => o.WithCredentials("alice", "secret")))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, alice.ConnectResult.ResultCode);
        }

        await using (var mallory = await NetClient.ConnectAsync(server, MqttProtocolVersion.V500, configure: o => o.WithCredentials("mallory", "guess")))
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, mallory.ConnectResult.ResultCode);
        }

        var after = await PrometheusScrape.WaitAsync(http, s => Delta(before, s, "mqtt_server_authentication_failures_total") >= 1);
        Assert.True(1 == Delta(before, after, "mqtt_server_authentication_failures_total", ("reason", "bad_username_or_password")), after.Text);
        Assert.Equal(1, Delta(before, after, "mqtt_server_authentication_failures_total"));
        Assert.Equal(1, Delta(before, after, "mqtt_server_connections_rejected_total", ("reason", "bad_username_or_password")));
    }

    private static Func<PrometheusScrape, double> Counter(string name, params (string, string)[] labels) => scrape => scrape.Sum(name, labels);

    private static double Delta(PrometheusScrape before, PrometheusScrape after, string name, params (string, string)[] labels)
        => after.Sum(name, labels) - before.Sum(name, labels);

    private sealed class OnlyAlice : IAuthenticator
    {
        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken)
            => ValueTask.FromResult(request.Connect.UserName == "alice"
                ? AuthenticationResult.Success(new ClientPrincipal(request.ClientId, request.Connect.UserName))
                : AuthenticationResult.Fail(ReasonCode.BadUserNameOrPassword, "unknown user or wrong password"));
    }
}
