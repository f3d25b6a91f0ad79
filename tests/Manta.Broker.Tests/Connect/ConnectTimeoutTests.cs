using Manta.Broker.Tests.Support;
using Manta.Protocol;

namespace Manta.Broker.Tests.Connect;

/// <summary>A connection that sends no CONNECT is closed after the connect timeout (10 s by default, BrokerOptions.ConnectTimeout).</summary>
public sealed class ConnectTimeoutTests
{
    [Fact]
    public async Task Connection_without_connect_stays_open_for_9_seconds_and_is_closed_after_11_without_connack()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();

        broker.Advance(TimeSpan.FromSeconds(9));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        Assert.False(client.Connection.IsCompleted);

        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await client.ReceiveRawAsync());
        await client.Connection.WaitAsync(PipeClient.DefaultTimeout);
        Assert.Equal(0, broker.Broker.Connections.Count);
    }

    [Fact]
    public async Task Connect_timeout_follows_the_option()
    {
        await using var broker = new TestBroker(configure: o => o.ConnectTimeout = TimeSpan.FromSeconds(3));
        await using var client = broker.NewClient();
        broker.Advance(TimeSpan.FromSeconds(2));
        await client.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        broker.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await client.ReceiveRawAsync());
    }

    [Fact]
    public async Task Connected_client_is_not_subject_to_the_connect_timeout()
    {
        await using var broker = new TestBroker();
        await using var client = await broker.ConnectAsync("c", MqttProtocolVersion.V500);
        broker.Advance(TimeSpan.FromSeconds(30));
        await client.PingAsync();
    }

    [Fact]
    public async Task Connect_sent_just_before_the_timeout_is_accepted()
    {
        await using var broker = new TestBroker();
        await using var client = broker.NewClient();
        broker.Advance(TimeSpan.FromSeconds(9));
        var ack = await client.ConnectAsync("c");
        Assert.Equal(ReasonCode.Success, ack.ReasonCode);
        broker.Advance(TimeSpan.FromSeconds(5));
        await client.PingAsync();
    }
}
