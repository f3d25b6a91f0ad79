using System.Text;
using Manta.Server.Tests.Support;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Manta.Server.Tests.Hostile;

/// <summary>Bad bytes over a real socket close that one connection; a well-behaved MQTTnet client on the same server carries on.</summary>
public sealed class HostileInputTests(MantaServerFixture fixture) : IClassFixture<MantaServerFixture>, IAsyncLifetime
{
    private readonly string _topic = Timeouts.Topic("healthy");
    private NetClient _healthy = null!;

    public async Task InitializeAsync()
    {
        _healthy = await NetClient.ConnectAsync(fixture.Server, MqttProtocolVersion.V500);
        await _healthy.SubscribeAsync(_topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await AssertHealthyAsync("before");
    }

    public async Task DisposeAsync() => await _healthy.DisposeAsync();

    private async Task AssertHealthyAsync(string payload)
    {
        Assert.True(_healthy.Client.IsConnected, "the well-behaved client was disconnected");
        await _healthy.PublishAsync(_topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(payload, (await _healthy.NextAsync()).PayloadText);
    }

    private static async Task<List<(byte Header, byte[] Body)>> ExpectCloseAsync(RawClient raw, TimeSpan? timeout = null)
    {
        var packets = new List<(byte Header, byte[] Body)>();
        Assert.True(await raw.WaitForCloseAsync(packets, timeout), $"the server did not close the connection within {(timeout ?? Timeouts.Expect).TotalSeconds:0.#}s");
        return packets;
    }

    public static TheoryData<string, byte[]> GarbageBeforeConnect => new()
    {
        // 'G' = 0x47: PUBACK with reserved flags 0111, remaining length 'E' = 69 > the 31 bytes sent.
        { "http request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: manta\r\n\r\n") },
        { "publish before connect", RawClient.Packet(0x30, RawClient.Str("a/b"), "x"u8.ToArray()) },
        { "reserved packet type 0", [0x00, 0x00] },
        { "0xFF flood", Enumerable.Repeat((byte)0xFF, 64).ToArray() },
        { "remaining length over 4 bytes", [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        { "connect with bad protocol name", RawClient.Packet(0x10, RawClient.Str("MQXX"), [0x04, 0x02, 0x00, 0x1E], RawClient.Str("id")) },
    };

    [Theory]
    [MemberData(nameof(GarbageBeforeConnect))]
    public async Task Garbage_instead_of_connect_closes_the_connection_without_connack_MQTT_3_1_0_1(string what, byte[] bytes)
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(bytes);

        // Within 5 s, well before the 10 s connect timeout: the fixed header alone shows none of these is a valid CONNECT.
        var packets = await ExpectCloseAsync(raw, TimeSpan.FromSeconds(5));
        Assert.True(packets.Count == 0, $"{what}: got packets {string.Join(",", packets.Select(p => p.Header.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)))}");
        await AssertHealthyAsync(what);
    }

    public static TheoryData<string, byte[]> MalformedAfterConnect => new()
    {
        // SUBSCRIBE's fixed-header flags must be 0010 (MQTT-3.8.1-1).
        { "subscribe with reserved flags 0000", RawClient.Packet(0x80, [0x00, 0x01], RawClient.Str("a"), [0x00]) },
        // Topic length 16 in a body of 3 bytes.
        { "publish topic longer than packet", [0x30, 0x03, 0x00, 0x10, 0x61] },
        // QoS bits 11 (MQTT-3.3.1-4).
        { "publish with qos 3", RawClient.Packet(0x36, RawClient.Str("a"), [0x00, 0x01]) },
        // Remaining length encoded in 5 bytes.
        { "remaining length over 4 bytes", [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
    };

    [Theory]
    [MemberData(nameof(MalformedAfterConnect))]
    public async Task V311_malformed_packet_closes_the_connection_MQTT_4_8_0_1(string what, byte[] bytes)
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(4, Timeouts.ClientId("bad4"));

        await raw.SendAsync(bytes);

        var packets = await ExpectCloseAsync(raw);
        Assert.True(packets.Count == 0, $"{what}: 3.1.1 has no DISCONNECT from the server, got {packets.Count} packets");
        await AssertHealthyAsync(what);
    }

    [Theory]
    [MemberData(nameof(MalformedAfterConnect))]
    public async Task V5_malformed_packet_gets_disconnect_0x81_before_close_MQTT_4_13_1_1(string what, byte[] bytes)
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(5, Timeouts.ClientId("bad5"));

        await raw.SendAsync(bytes);

        var packets = await ExpectCloseAsync(raw);
        var disconnect = Assert.Single(packets);
        Assert.Equal(0xE0, disconnect.Header);
        Assert.True(disconnect.Body.Length >= 1 && disconnect.Body[0] == 0x81, $"{what}: DISCONNECT reason {(disconnect.Body.Length > 0 ? disconnect.Body[0] : -1):X2}, expected 0x81");
        await AssertHealthyAsync(what);
    }

    [Fact]
    public async Task V5_packet_over_maximum_size_gets_disconnect_0x95_MQTT_3_2_2_15()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(5, Timeouts.ClientId("big5"));

        // Announce a 200 MB PUBLISH (the default limit is 1 MiB) and send only its first bytes.
        await raw.SendAsync([0x30, .. RawClient.RemainingLength(200_000_000), 0x00, 0x01, 0x61]);

        var packets = await ExpectCloseAsync(raw);
        var disconnect = Assert.Single(packets);
        Assert.Equal(0xE0, disconnect.Header);
        Assert.Equal(0x95, disconnect.Body[0]);
        await AssertHealthyAsync("after oversize v5");
    }

    [Fact]
    public async Task V311_packet_over_maximum_size_closes_the_connection()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(4, Timeouts.ClientId("big4"));

        await raw.SendAsync([0x30, .. RawClient.RemainingLength(200_000_000), 0x00, 0x01, 0x61]);

        Assert.Empty(await ExpectCloseAsync(raw));
        await AssertHealthyAsync("after oversize 3.1.1");
    }

    [Fact]
    public async Task V5_second_connect_is_a_protocol_error_0x82_MQTT_3_1_0_2()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(5, Timeouts.ClientId("twice"));

        await raw.SendAsync(RawClient.Connect(5, Timeouts.ClientId("twice")));

        var disconnect = Assert.Single(await ExpectCloseAsync(raw));
        Assert.Equal((0xE0, 0x82), (disconnect.Header, disconnect.Body[0]));
        await AssertHealthyAsync("after second connect");
    }

    [Fact]
    public async Task Abrupt_close_in_the_middle_of_a_packet_leaves_the_server_serving()
    {
        await using (var raw = await RawClient.ConnectAsync(fixture.Server))
        {
            await raw.ConnectMqttAsync(5, Timeouts.ClientId("half"));
            await raw.SendAsync([0x30, 0x40, 0x00, 0x05, 0x61]); // 64-byte PUBLISH, 3 bytes sent
            raw.Drop();
        }

        await AssertHealthyAsync("after half a packet");
    }

    [Fact]
    public async Task Many_garbage_connections_in_parallel_do_not_disturb_a_client()
    {
        var attacks = Enumerable.Range(0, 20).Select(async i =>
        {
            await using var raw = await RawClient.ConnectAsync(fixture.Server);
            await raw.SendAsync(Enumerable.Range(0, 100).Select(b => (byte)(b * 37 + i)).ToArray());
            await ExpectCloseAsync(raw);
        });

        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await AssertHealthyAsync($"during attack {i}");
            }
        });

        await Task.WhenAll([.. attacks, publishing]);
    }

    [Fact]
    public async Task Unsupported_protocol_level_gets_connack_0x01_and_close_MQTT_3_1_2_2()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(RawClient.Connect(9, Timeouts.ClientId("lvl")));

        var connAck = Assert.Single(await ExpectCloseAsync(raw));
        Assert.Equal(0x20, connAck.Header);
        Assert.Equal([0x00, 0x01], connAck.Body);
        await AssertHealthyAsync("after level 9");
    }

    [Fact]
    public async Task V311_empty_client_id_without_clean_session_gets_connack_0x02_MQTT_3_1_3_8()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.SendAsync(RawClient.Connect(4, string.Empty, cleanSession: false));

        var connAck = Assert.Single(await ExpectCloseAsync(raw));
        Assert.Equal(0x20, connAck.Header);
        Assert.Equal([0x00, 0x02], connAck.Body);
    }

    [Theory]
    [InlineData("a/+/b")]
    [InlineData("a/#")]
    public async Task V5_publish_to_a_wildcard_topic_gets_disconnect_0x90_MQTT_3_3_2_2(string topic)
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(5, Timeouts.ClientId("wild5"));

        await raw.SendAsync(RawClient.Packet(0x30, RawClient.Str(topic), [0x00], "x"u8.ToArray()));

        var disconnect = Assert.Single(await ExpectCloseAsync(raw));
        Assert.Equal((0xE0, 0x90), (disconnect.Header, disconnect.Body[0]));
        await AssertHealthyAsync("after wildcard publish");
    }

    [Fact]
    public async Task V311_publish_to_a_wildcard_topic_closes_the_connection_MQTT_3_3_2_2()
    {
        await using var raw = await RawClient.ConnectAsync(fixture.Server);
        await raw.ConnectMqttAsync(4, Timeouts.ClientId("wild4"));

        await raw.SendAsync(RawClient.Packet(0x30, RawClient.Str("a/+"), "x"u8.ToArray()));

        Assert.Empty(await ExpectCloseAsync(raw));
        await AssertHealthyAsync("after wildcard publish 3.1.1");
    }
}
