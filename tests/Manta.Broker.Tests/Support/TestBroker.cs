using Manta.Broker.Extensibility;
using Manta.Broker.Policy;
using Manta.Protocol;
using Manta.Protocol.Packets;
using Manta.Protocol.Properties;
using Microsoft.Extensions.Time.Testing;

namespace Manta.Broker.Tests.Support;

/// <summary>A broker on a fake clock; tests move time with <see cref="Advance"/>, which also runs the heartbeat.</summary>
public sealed class TestBroker : IAsyncDisposable
{
    public TestBroker(BrokerPolicy? policy = null, Action<BrokerOptions>? configure = null, IAuthenticator? authenticator = null, IAuthorizer? authorizer = null, IEnumerable<IEnhancedAuthenticator>? enhancedAuthenticators = null, Manta.Broker.Persistence.ISessionStore? store = null, FakeTimeProvider? time = null)
    {
        // $SYS publishing is off unless a test turns it on: it would add retained messages to every test.
        var options = new BrokerOptions { Policy = policy ?? new BrokerPolicy(), SysInterval = TimeSpan.Zero };
        configure?.Invoke(options);
        Time = time ?? new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Broker = new MqttBroker(options, timeProvider: Time, authenticator: authenticator, authorizer: authorizer, enhancedAuthenticators: enhancedAuthenticators, sessionStore: store);
    }

    /// <summary>The fake clock; pass it to the next broker of a restart test so wall-clock time carries over.</summary>
    public FakeTimeProvider Time { get; }

    public MqttBroker Broker { get; }

    public PipeClient NewClient(MqttProtocolVersion version = MqttProtocolVersion.V311) => new(Broker, version);

    public async Task<PipeClient> ConnectAsync(string clientId, MqttProtocolVersion version = MqttProtocolVersion.V311, bool cleanStart = true, ushort keepAlive = 0, WillMessage? will = null, MqttProperties? properties = null)
    {
        var client = NewClient(version);
        var ack = await client.ConnectAsync(clientId, cleanStart, keepAlive, will, properties);
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        return client;
    }

    /// <summary>Moves the fake clock and runs one heartbeat.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Broker.Tick();
    }

    public async ValueTask DisposeAsync() => await Broker.DisposeAsync();
}
