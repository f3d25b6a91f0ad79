using Manta.Broker.Limits;
using Manta.Broker.Tests.Support;
using Manta.Protocol;
using Manta.Protocol.Packets;

namespace Manta.Broker.Tests.Limits;

/// <summary>Per-client publish and byte rates, per-address connection rates, bans.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task V5_publications_over_the_rate_get_0x96_and_are_not_delivered()
    {
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions { PublishRate = 2 });
        await using var subscriber = await broker.ConnectAsync("s", MqttProtocolVersion.V500);
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);

        var codes = new List<ReasonCode>();
        for (ushort id = 1; id <= 3; id++)
        {
            await publisher.PublishAsync("t", $"m{id}", QualityOfService.AtLeastOnce, packetId: id);
            codes.Add((await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);
        }

        Assert.Equal([ReasonCode.Success, ReasonCode.Success, ReasonCode.MessageRateTooHigh], codes);

        broker.Advance(TimeSpan.FromSeconds(1));
        await publisher.PublishAsync("t", "m4", QualityOfService.AtLeastOnce, packetId: 4);
        Assert.Equal(ReasonCode.Success, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);

        var delivered = await subscriber.ReceiveDeliveriesAsync(3);
        Assert.Equal(["m1", "m2", "m4"], delivered.Select(p => System.Text.Encoding.UTF8.GetString(p.Payload.Span)));

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task V5_publications_over_the_byte_rate_get_0x97()
    {
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions { ByteRate = 100 });
        await using var publisher = await broker.ConnectAsync("p", MqttProtocolVersion.V500);
        await publisher.PublishAsync("t", new string('x', 60), QualityOfService.AtLeastOnce, packetId: 1);
        Assert.Equal(ReasonCode.NoMatchingSubscribers, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);
        await publisher.PublishAsync("t", new string('x', 60), QualityOfService.AtLeastOnce, packetId: 2);
        Assert.Equal(ReasonCode.QuotaExceeded, (await publisher.ReceiveAsync<PubAckPacket>()).ReasonCode);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task A_311_client_over_the_rate_is_slowed_down_and_loses_nothing()
    {
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions { PublishRate = 1 });
        await using var subscriber = await broker.ConnectAsync("s");
        await subscriber.SubscribeAsync("t", QualityOfService.AtLeastOnce);
        await using var publisher = await broker.ConnectAsync("p");

        await publisher.PublishAsync("t", "first", QualityOfService.AtLeastOnce, packetId: 1);
        Assert.Equal(1, (await publisher.ReceiveAsync<PubAckPacket>()).PacketId);
        await publisher.PublishAsync("t", "second", QualityOfService.AtLeastOnce, packetId: 2);

        // Held back: not acknowledged, not delivered, until the bucket has a token again.
        await publisher.ExpectNothingAsync();
        broker.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await publisher.ReceiveAsync<PubAckPacket>()).PacketId);
        var delivered = await subscriber.ReceiveDeliveriesAsync(2);
        Assert.Equal(["first", "second"], delivered.Select(p => System.Text.Encoding.UTF8.GetString(p.Payload.Span)));

        await OthersUnaffected.AssertAsync(broker);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, ReasonCode.ConnectionRateExceeded)]
    [InlineData(MqttProtocolVersion.V311, ReasonCode.ServerUnavailable)]
    public async Task New_connections_over_the_rate_of_one_address_are_refused(MqttProtocolVersion version, ReasonCode expected)
    {
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions { ConnectionRatePerAddress = 2 });
        await using var a = await broker.ConnectAsync("a", version);
        await using var b = await broker.ConnectAsync("b", version);
        await using var c = broker.NewClient(version);
        Assert.Equal(expected, (await c.ConnectAsync("c")).ReasonCode);

        broker.Advance(TimeSpan.FromSeconds(1));
        await using var d = broker.NewClient(version);
        Assert.Equal(ReasonCode.Success, (await d.ConnectAsync("d")).ReasonCode);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task An_address_reconnecting_in_a_tight_loop_is_banned_for_a_while()
    {
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions
        {
            ConnectionRatePerAddress = 1,
            AutoBanAfterRefusals = 3,
            AutoBanDuration = TimeSpan.FromSeconds(30),
        });
        var codes = new List<ReasonCode>();
        for (var i = 0; i < 5; i++)
        {
            await using var client = broker.NewClient(MqttProtocolVersion.V500);
            codes.Add((await client.ConnectAsync($"loop{i}")).ReasonCode);
        }

        Assert.Equal(
            [ReasonCode.Success, ReasonCode.ConnectionRateExceeded, ReasonCode.ConnectionRateExceeded, ReasonCode.ConnectionRateExceeded, ReasonCode.Banned],
            codes);

        // The rate has refilled, but the ban holds until it expires.
        broker.Advance(TimeSpan.FromSeconds(10));
        await using (var stillBanned = broker.NewClient(MqttProtocolVersion.V500))
        {
            Assert.Equal(ReasonCode.Banned, (await stillBanned.ConnectAsync("later")).ReasonCode);
        }

        broker.Advance(TimeSpan.FromSeconds(25));
        await using var free = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Success, (await free.ConnectAsync("free")).ReasonCode);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Theory]
    [InlineData(BanKind.ClientId, "bad-device", null)]
    [InlineData(BanKind.UserName, null, "mallory")]
    [InlineData(BanKind.Address, null, null)]
    public async Task Banned_client_ids_user_names_and_addresses_are_refused_with_0x8A(BanKind kind, string? clientId, string? userName)
    {
        var value = kind switch
        {
            BanKind.ClientId => clientId!,
            BanKind.UserName => userName!,
            _ => "127.0.0.1",
        };
        await using var broker = new TestBroker(configure: o => o.Limits = new LimitOptions { Bans = [new BanEntry { Kind = kind, Value = value, Duration = TimeSpan.FromMinutes(1) }] });

        await using var v5 = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Banned, (await v5.ConnectAsync(clientId ?? "x", userName: userName)).ReasonCode);
        await using var v3 = broker.NewClient(MqttProtocolVersion.V311);
        Assert.Equal(ReasonCode.NotAuthorized, (await v3.ConnectAsync(clientId ?? "y", userName: userName)).ReasonCode);

        broker.Advance(TimeSpan.FromMinutes(2));
        await using var after = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Success, (await after.ConnectAsync(clientId ?? "z", userName: userName)).ReasonCode);

        await OthersUnaffected.AssertAsync(broker);
    }

    [Fact]
    public async Task Bans_can_be_added_and_lifted_at_run_time()
    {
        await using var broker = new TestBroker();
        broker.Broker.Bans.Add(BanKind.ClientId, "c", duration: null);
        await using (var refused = broker.NewClient(MqttProtocolVersion.V500))
        {
            Assert.Equal(ReasonCode.Banned, (await refused.ConnectAsync("c")).ReasonCode);
        }

        Assert.True(broker.Broker.Bans.Remove(BanKind.ClientId, "c"));
        await using var accepted = broker.NewClient(MqttProtocolVersion.V500);
        Assert.Equal(ReasonCode.Success, (await accepted.ConnectAsync("c")).ReasonCode);
    }
}
