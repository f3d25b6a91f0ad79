using System.Diagnostics;
using Manta.Server.Tests.Support;

namespace Manta.Server.Tests.Connect;

/// <summary>A host started with <c>--Manta:Broker:ConnectTimeout=00:00:01</c>.</summary>
public sealed class ConnectTimeoutTests(ConnectTimeoutTests.Host host) : IClassFixture<ConnectTimeoutTests.Host>
{
    [Fact]
    public async Task Connection_that_sends_nothing_is_closed_after_the_connect_timeout()
    {
        await using var raw = await RawClient.ConnectAsync(host.Server);
        var openedAt = Stopwatch.StartNew();

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets, TimeSpan.FromSeconds(4)), "silent connection still open after 4 s with a 1 s connect timeout");
        var elapsed = openedAt.Elapsed;
        Assert.Empty(packets);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(800), $"closed after {elapsed.TotalMilliseconds:0} ms, before the 1 s connect timeout");
        Assert.True(elapsed <= TimeSpan.FromMilliseconds(3000), $"closed after {elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Connection_that_sends_half_a_connect_is_closed_after_the_connect_timeout()
    {
        await using var raw = await RawClient.ConnectAsync(host.Server);
        var openedAt = Stopwatch.StartNew();

        // CONNECT fixed header announcing 16 bytes, then only the protocol name: the body never completes.
        await raw.SendAsync([0x10, 0x10, 0x00, 0x04, (byte)'M', (byte)'Q']);

        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets, TimeSpan.FromSeconds(4)), "connection with an unfinished CONNECT still open after 4 s with a 1 s connect timeout");
        Assert.Empty(packets);
        Assert.True(openedAt.Elapsed >= TimeSpan.FromMilliseconds(800), $"closed after {openedAt.ElapsedMilliseconds} ms, before the 1 s connect timeout");
    }

    [Fact]
    public async Task Mosquitto_client_that_connects_in_time_is_not_affected_by_the_connect_timeout()
    {
        var topic = Timeouts.Topic("ctimeout");
        await using var sub = await Support.Mosquitto.SubAsync(host.Server, "mqttv311", "-t", topic, "-q", "1", "-C", "1");

        // Well past the connect timeout and a heartbeat: the connected subscriber must still be served.
        await Task.Delay(TimeSpan.FromMilliseconds(2100));
        await Support.Mosquitto.PubAsync(host.Server, "mqttv5", "-t", topic, "-q", "1", "-m", "still here");

        var messages = await Support.Mosquitto.WaitForMessagesAsync(sub, 1);
        Assert.Equal(new SubMessage(topic, 1, false, "still here"), messages.Single());
        Assert.Equal(0, await sub.WaitForExitAsync(Timeouts.Expect));

        // Exactly one CONNECT: the subscriber was not closed and reconnected in between.
        Assert.Single(sub.StdoutLines, l => l.Contains("sending CONNECT", StringComparison.Ordinal));
    }

    /// <summary>The dedicated host of this class.</summary>
    public sealed class Host : IAsyncLifetime
    {
        private MantaServer? _server;

        public MantaServer Server => _server ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync() => _server = await MantaServer.StartAsync("--Manta:Broker:ConnectTimeout=00:00:01");

        public async Task DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
