using System.Buffers;
using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Support;

/// <summary>A message as an MQTTnet client received it, copied out of the library's buffers inside the event handler.</summary>
public sealed record Received(
    string Topic,
    byte[] Payload,
    MqttQualityOfServiceLevel QoS,
    bool Retain,
    IReadOnlyList<(string Name, string Value)> UserProperties,
    string? ContentType,
    string? ResponseTopic,
    byte[]? CorrelationData,
    IReadOnlyList<uint> SubscriptionIdentifiers)
{
    public string PayloadText => Encoding.UTF8.GetString(Payload);
}

/// <summary>An MQTTnet client (the library, not our code) connected to a <see cref="MantaServer"/>, with an inbox.</summary>
public sealed class NetClient : IAsyncDisposable
{
    private static readonly MqttClientFactory Factory = new();
    private readonly Channel<Received> _inbox = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NetClient(IMqttClient client, string clientId)
    {
        Client = client;
        ClientId = clientId;
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            _inbox.Writer.TryWrite(new Received(
                m.Topic,
                m.Payload.ToArray(),
                m.QualityOfServiceLevel,
                m.Retain,
                m.UserProperties?.Select(p => (p.Name, p.ReadValueAsString())).ToList() ?? [],
                m.ContentType,
                m.ResponseTopic,
                m.CorrelationData?.ToArray(),
                m.SubscriptionIdentifiers?.ToList() ?? []));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public string ClientId { get; }

    public MqttClientConnectResult ConnectResult { get; private set; } = null!;

    /// <summary>Completes when MQTTnet reports the connection lost (its DisconnectedAsync event).</summary>
    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    /// <summary>Connects with clean session/start true unless <paramref name="configure"/> says otherwise; the inbox is wired before CONNECT so nothing is missed.</summary>
    public static Task<NetClient> ConnectAsync(
        MantaServer server,
        MqttProtocolVersion version,
        string? clientId = null,
        Action<MqttClientOptionsBuilder>? configure = null) =>
        ConnectAsync(server.Host, server.Port, version, clientId, configure);

    /// <summary>As the other overload, for a server we did not start in-process (the manta executable).</summary>
    public static async Task<NetClient> ConnectAsync(
        string host,
        int port,
        MqttProtocolVersion version,
        string? clientId = null,
        Action<MqttClientOptionsBuilder>? configure = null)
    {
        clientId ??= Timeouts.ClientId("net");
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(version)
            .WithClientId(clientId)
            .WithCleanSession(true)
            .WithTimeout(Timeouts.Expect)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        configure?.Invoke(builder);

        var netClient = new NetClient(Factory.CreateMqttClient(), clientId);
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        netClient.ConnectResult = await netClient.Client.ConnectAsync(builder.Build(), cts.Token);
        return netClient;
    }

    public async Task<MqttClientSubscribeResult> SubscribeAsync(string filter, MqttQualityOfServiceLevel qos, uint subscriptionIdentifier = 0, Action<MqttTopicFilterBuilder>? options = null)
    {
        var builder = Factory.CreateSubscribeOptionsBuilder().WithTopicFilter(f =>
        {
            f.WithTopic(filter).WithQualityOfServiceLevel(qos);
            options?.Invoke(f);
        });
        if (subscriptionIdentifier != 0)
        {
            builder.WithSubscriptionIdentifier(subscriptionIdentifier);
        }

        using var cts = new CancellationTokenSource(Timeouts.Expect);
        return await Client.SubscribeAsync(builder.Build(), cts.Token);
    }

    public async Task<MqttClientPublishResult> PublishAsync(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtMostOnce, bool retain = false)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build();
        return await PublishAsync(message);
    }

    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message)
    {
        using var cts = new CancellationTokenSource(Timeouts.Expect);
        return await Client.PublishAsync(message, cts.Token);
    }

    /// <summary>The next message, or a failed test after <paramref name="timeout"/> (default <see cref="Timeouts.Expect"/>).</summary>
    public async Task<Received> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Expect);
        try
        {
            return await _inbox.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"client {ClientId}: no message within {(timeout ?? Timeouts.Expect).TotalSeconds:0.#}s");
        }
    }

    /// <summary>Fails if any message arrives within <paramref name="window"/> (default <see cref="Timeouts.Absence"/>).</summary>
    public async Task ExpectNothingAsync(TimeSpan? window = null)
    {
        using var cts = new CancellationTokenSource(window ?? Timeouts.Absence);
        try
        {
            var message = await _inbox.Reader.ReadAsync(cts.Token);
            throw new Xunit.Sdk.XunitException($"client {ClientId}: unexpected message on '{message.Topic}': '{message.PayloadText}'");
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A normal DISCONNECT (reason 0).</summary>
    public async Task DisconnectAsync()
    {
        if (Client.IsConnected)
        {
            using var cts = new CancellationTokenSource(Timeouts.Expect);
            await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cts.Token);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync();
        }
        catch (Exception)
        {
            // Already gone (taken over, dropped by the test): nothing to do.
        }

        Client.Dispose();
    }
}
